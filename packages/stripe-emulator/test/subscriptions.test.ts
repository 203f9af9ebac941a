import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { advanceTestClock, CARDS, emulatorPerFile, payOnHostedPage, settled, type Catalog, type TestEnv } from "../src/testing";

let env: TestEnv;
let catalog: Catalog;
const DAY = 86400;
const T0 = Date.UTC(2026, 0, 1) / 1000;

emulatorPerFile((e, c) => {
  env = e;
  catalog = c;
});

/** A customer on a test clock frozen at T0, with a default card, subscribed to `price`. */
async function subscribed(price: Stripe.Price, card = "pm_card_visa") {
  const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: T0, name: "sub" });
  const customer = await env.stripe.customers.create({ email: "sub@example.com", test_clock: clock.id });
  const pm = await env.stripe.paymentMethods.attach(card, { customer: customer.id });
  const sub = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: pm.id, metadata: { workspaceId: "ws_1" } });
  return { clock, customer, pm, sub };
}

function advance(clock: Stripe.TestHelpers.TestClock, to: number) {
  return advanceTestClock(env.stripe, clock.id, to);
}

describe("subscription updates", () => {
  it("upgrades at once with always_invoice: a prorated subscription_update invoice, paid", async () => {
    const { clock, sub } = await subscribed(catalog.starter);
    expect([sub.status, sub.created, sub.items.data[0]!.current_period_start]).toEqual(["active", T0, T0]);
    const periodEnd = sub.items.data[0]!.current_period_end;
    expect(periodEnd).toBe(Date.UTC(2026, 1, 1) / 1000);
    await advance(clock, T0 + 15 * DAY + 12 * 3600);
    await settled(env);
    env.hooks.clear();

    const updated = await env.stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: catalog.pro.id }], proration_behavior: "always_invoice" }, { idempotencyKey: `upgrade_${sub.id}_pro` });
    expect(updated.items.data[0]!.id).toBe(sub.items.data[0]!.id);
    expect(updated.items.data[0]!.price.id).toBe(catalog.pro.id);
    expect(updated.items.data[0]!.current_period_end).toBe(periodEnd);
    const invoice = await env.stripe.invoices.retrieve(updated.latest_invoice as string);
    expect(invoice.billing_reason).toBe("subscription_update");
    expect(invoice.status).toBe("paid");
    const remaining = periodEnd - (T0 + 15 * DAY + 12 * 3600);
    const total = periodEnd - T0;
    const credit = Math.round((999 * remaining) / total);
    const debit = Math.round((9900 * remaining) / total);
    expect(invoice.lines.data.map((l) => l.amount)).toEqual([-credit, debit]);
    expect(invoice.amount_paid).toBe(debit - credit);
    expect(invoice.lines.data.every((l) => l.parent?.subscription_item_details?.proration === true)).toBe(true);

    await settled(env);
    const [changed] = env.hooks.ofType("customer.subscription.updated");
    expect(changed!.data.object.items.data[0]!.price.id).toBe(catalog.pro.id);
    const previousItems = (changed!.data.previous_attributes as { items: Stripe.ApiList<Stripe.SubscriptionItem> }).items;
    expect(previousItems.data[0]!.price.id).toBe(catalog.starter.id);
    expect(env.hooks.types()).toEqual(expect.arrayContaining(["invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded"]));
  });

  it("keeps create_prorations for the next renewal invoice", async () => {
    const { clock, sub } = await subscribed(catalog.starter);
    await advance(clock, T0 + 10 * DAY);
    const updated = await env.stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: catalog.pro.id }] });
    expect(updated.latest_invoice).toBe(sub.latest_invoice);
    const renewed = await advance(clock, Date.UTC(2026, 1, 1) / 1000 + 3600);
    expect(renewed.status).toBe("ready");
    const after = await env.stripe.subscriptions.retrieve(sub.id, { expand: ["latest_invoice"] });
    const invoice = after.latest_invoice as Stripe.Invoice;
    expect(invoice.billing_reason).toBe("subscription_cycle");
    expect(invoice.lines.data).toHaveLength(3);
    expect(invoice.lines.data[2]!.amount).toBe(9900);
    expect(invoice.lines.data.slice(0, 2).every((l) => l.parent?.subscription_item_details?.proration)).toBe(true);
    expect(invoice.status).toBe("paid");
  });

  it("cancels at period end: flags now, customer.subscription.deleted when the period ends", async () => {
    const { clock, sub } = await subscribed(catalog.pro);
    const periodEnd = sub.items.data[0]!.current_period_end;
    const flagged = await env.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    expect([flagged.status, flagged.cancel_at_period_end, flagged.cancel_at, flagged.canceled_at]).toEqual(["active", true, periodEnd, T0]);
    await advance(clock, periodEnd - 60);
    expect((await env.stripe.subscriptions.retrieve(sub.id)).status).toBe("active");
    await settled(env);
    env.hooks.clear();
    await advance(clock, periodEnd + 60);
    const ended = await env.stripe.subscriptions.retrieve(sub.id);
    expect([ended.status, ended.ended_at]).toEqual(["canceled", periodEnd]);
    expect((await env.stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);
    await settled(env);
    const deleted = env.hooks.ofType("customer.subscription.deleted");
    expect(deleted.map((e) => e.data.object.id)).toEqual([sub.id]);
    expect((await env.stripe.subscriptions.list({ customer: sub.customer as string })).data).toHaveLength(0);
    expect((await env.stripe.subscriptions.list({ customer: sub.customer as string, status: "all" })).data).toHaveLength(1);
  });

  it("cancels immediately with DELETE", async () => {
    const { sub } = await subscribed(catalog.pro);
    const canceled = await env.stripe.subscriptions.cancel(sub.id);
    expect([canceled.status, canceled.canceled_at, canceled.ended_at]).toEqual(["canceled", T0, T0]);
  });

  it("keeps the cancellation comment and feedback given to DELETE", async () => {
    const { sub } = await subscribed(catalog.starter);
    const canceled = await env.stripe.subscriptions.cancel(sub.id, { prorate: false, invoice_now: false, cancellation_details: { comment: "duplicate", feedback: "other" } });
    expect([canceled.status, canceled.cancellation_details]).toEqual(["canceled", { comment: "duplicate", feedback: "other", reason: "cancellation_requested" }]);
    expect((await env.stripe.subscriptions.retrieve(sub.id)).cancellation_details?.comment).toBe("duplicate");
  });

  it("schedules a downgrade at period end through a subscription schedule, and can release it", async () => {
    const { clock, sub, pm } = await subscribed(catalog.pro);
    const periodEnd = sub.items.data[0]!.current_period_end;
    const schedule = await env.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    expect(schedule.phases).toHaveLength(1);
    expect([schedule.phases[0]!.start_date, schedule.phases[0]!.end_date]).toEqual([T0, periodEnd]);
    const updated = await env.stripe.subscriptionSchedules.update(schedule.id, {
      end_behavior: "release",
      phases: [
        { start_date: schedule.phases[0]!.start_date, end_date: periodEnd, items: [{ price: catalog.pro.id, quantity: 1 }], default_payment_method: pm.id },
        { start_date: periodEnd, items: [{ price: catalog.starter.id, quantity: 1 }], duration: { interval: "month", interval_count: 1 }, default_payment_method: pm.id },
      ],
    });
    expect(updated.phases.map((p) => p.items[0]!.price)).toEqual([catalog.pro.id, catalog.starter.id]);
    expect((await env.stripe.subscriptions.retrieve(sub.id)).schedule).toBe(schedule.id);

    await advance(clock, periodEnd + 3600);
    const renewed = await env.stripe.subscriptions.retrieve(sub.id, { expand: ["latest_invoice"] });
    expect(renewed.items.data[0]!.price.id).toBe(catalog.starter.id);
    expect(renewed.items.data[0]!.current_period_start).toBe(periodEnd);
    expect((renewed.latest_invoice as Stripe.Invoice).amount_paid).toBe(999);

    const other = await subscribed(catalog.pro);
    const s2 = await env.stripe.subscriptionSchedules.create({ from_subscription: other.sub.id });
    await env.stripe.subscriptionSchedules.update(s2.id, {
      phases: [
        { start_date: s2.phases[0]!.start_date, end_date: s2.phases[0]!.end_date, items: [{ price: catalog.pro.id }] },
        { start_date: s2.phases[0]!.end_date, items: [{ price: catalog.starter.id }] },
      ],
    });
    const released = await env.stripe.subscriptionSchedules.release(s2.id);
    expect([released.status, released.released_subscription]).toEqual(["released", other.sub.id]);
    await advance(other.clock, s2.phases[0]!.end_date + 60);
    const kept = await env.stripe.subscriptions.retrieve(other.sub.id);
    expect([kept.items.data[0]!.price.id, kept.schedule]).toEqual([catalog.pro.id, null]);
  });

  it("a schedule taken from a subscription carries its tax, card and metadata in its first phase only", async () => {
    const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const customer = await env.stripe.customers.create({ test_clock: clock.id });
    const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    const sub = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.pro.id }], default_payment_method: pm.id, automatic_tax: { enabled: true }, metadata: { workspaceId: "ws_1" } });
    const schedule = await env.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    expect(schedule.phases[0]).toMatchObject({ automatic_tax: { enabled: true }, default_payment_method: pm.id, metadata: { workspaceId: "ws_1" } });
    expect(schedule.default_settings).toMatchObject({ automatic_tax: { enabled: false }, default_payment_method: null });
    expect(schedule.billing_mode).toEqual(sub.billing_mode);
  });

  it("phases replace the schedule's whole phases: a phase that does not repeat tax and card takes them away when it begins", async () => {
    env.emulator.setTaxPercent(10);
    try {
      const renewWith = async (repeat: boolean) => {
        const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
        const customer = await env.stripe.customers.create({ test_clock: clock.id });
        const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
        const sub = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.pro.id }], default_payment_method: pm.id, automatic_tax: { enabled: true } });
        const first = await env.stripe.invoices.retrieve(sub.latest_invoice as string);
        expect([first.subtotal, first.total, first.total_taxes?.[0]?.amount]).toEqual([9900, 10890, 990]);
        const periodEnd = sub.items.data[0]!.current_period_end;
        const schedule = await env.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
        const settings = repeat ? { automatic_tax: { enabled: true }, default_payment_method: pm.id } : {};
        await env.stripe.subscriptionSchedules.update(schedule.id, {
          phases: [
            { start_date: schedule.phases[0]!.start_date, end_date: periodEnd, items: [{ price: catalog.pro.id }], ...settings },
            { items: [{ price: catalog.starter.id }], metadata: { planKey: "starter" }, ...settings },
          ],
        });
        await advance(clock, periodEnd + 3600);
        const renewed = await env.stripe.subscriptions.retrieve(sub.id, { expand: ["latest_invoice"] });
        return { renewed, invoice: renewed.latest_invoice as Stripe.Invoice, pm };
      };

      const kept = await renewWith(true);
      expect([kept.renewed.automatic_tax.enabled, kept.renewed.default_payment_method, kept.renewed.metadata.planKey]).toEqual([true, kept.pm.id, "starter"]);
      expect([kept.invoice.status, kept.invoice.subtotal, kept.invoice.total, kept.invoice.automatic_tax.enabled]).toEqual(["paid", 999, 1099, true]);

      const lost = await renewWith(false);
      expect([lost.renewed.automatic_tax.enabled, lost.renewed.default_payment_method, lost.renewed.status]).toEqual([false, null, "past_due"]);
      expect([lost.invoice.status, lost.invoice.total, lost.invoice.automatic_tax.enabled, lost.invoice.total_taxes]).toEqual(["open", 999, false, []]);
    } finally {
      env.emulator.setTaxPercent(0);
    }
  });
});

describe("billing mode", () => {
  it("new subscriptions are in flexible billing mode, as on Stripe; classic only when asked for", async () => {
    const { sub } = await subscribed(catalog.starter);
    expect(sub.billing_mode).toEqual({ flexible: { proration_discounts: "included" }, type: "flexible", updated_at: T0 });
    const customer = await env.stripe.customers.create({ email: "classic@example.com" });
    const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    const classic = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.starter.id }], default_payment_method: pm.id, billing_mode: { type: "classic" } });
    expect(classic.billing_mode.type).toBe("classic");
    const session = await env.stripe.checkout.sessions.create({ mode: "subscription", line_items: [{ price: catalog.starter.id, quantity: 1 }], success_url: "http://app.local/ok" });
    expect((await payOnHostedPage(session.url!, CARDS.ok)).status).toBe(303);
    const bought = await env.stripe.subscriptions.retrieve((await env.stripe.checkout.sessions.retrieve(session.id)).subscription as string);
    expect(bought.billing_mode.type).toBe("flexible");
  });

  it("flexible credits what was billed for the period; classic credits the current price", async () => {
    const credits: Record<string, number> = {};
    for (const mode of ["flexible", "classic"] as const) {
      const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
      const customer = await env.stripe.customers.create({ email: `${mode}@example.com`, test_clock: clock.id });
      const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
      const sub = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.starter.id }], default_payment_method: pm.id, billing_mode: { type: mode } });
      const item = sub.items.data[0]!;
      // Moved to Pro without proration (as a plan migration does): Starter's $9.99 is what was billed. Then a
      // change billed now credits the unused time.
      await env.stripe.subscriptions.update(sub.id, { items: [{ id: item.id, price: catalog.pro.id }], proration_behavior: "none" });
      await advance(clock, T0 + 10 * DAY);
      const up = await env.stripe.subscriptions.update(sub.id, { items: [{ id: item.id, price: catalog.starter.id }], proration_behavior: "always_invoice" });
      const invoice = await env.stripe.invoices.retrieve(up.latest_invoice as string);
      credits[mode] = -invoice.lines.data[0]!.amount;
    }
    const total = Date.UTC(2026, 1, 1) / 1000 - T0;
    const remaining = total - 10 * DAY;
    expect(credits).toEqual({ flexible: Math.round((999 * remaining) / total), classic: Math.round((9900 * remaining) / total) });
  });

  it("a classic subscription migrates to flexible, once", async () => {
    const customer = await env.stripe.customers.create({ email: "migrate@example.com" });
    const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    const sub = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.starter.id }], default_payment_method: pm.id, billing_mode: { type: "classic" } });
    const migrated = await env.stripe.subscriptions.migrate(sub.id, { billing_mode: { type: "flexible" } });
    expect(migrated.billing_mode.type).toBe("flexible");
    const again = await env.stripe.subscriptions.migrate(sub.id, { billing_mode: { type: "flexible" } }).catch((e: unknown) => e);
    expect((again as Stripe.errors.StripeError).statusCode).toBe(400);
  });
});
