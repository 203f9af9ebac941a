import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { advanceTestClock, CARDS, payOnHostedPage, seedCatalog, settled, startTestEnv, emulatorPerFile, type Catalog, type TestEnv } from "../src/testing";

let env: TestEnv;
let catalog: Catalog;
const DAY = 86400;
const HOUR = 3600;
const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const month = (n: number) => Date.UTC(2026, n, 15, 12) / 1000;

emulatorPerFile((e, c) => {
  env = e;
  catalog = c;
});

async function clockCustomer() {
  const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: T0, name: "dunning" });
  const customer = await env.stripe.customers.create({ email: "clock@example.com", test_clock: clock.id });
  return { clock, customer };
}

function advance(clock: Stripe.TestHelpers.TestClock, to: number) {
  return advanceTestClock(env.stripe, clock.id, to);
}

describe("test clocks", () => {
  it("advances asynchronously, as on Stripe: answered advancing, ready once everything due has run; no second advance meanwhile", async () => {
    // An emulator of its own whose advances take 2 s, so the second request surely arrives while the first runs.
    const slow = await startTestEnv({ clockAdvanceMs: 2_000 });
    try {
      const clock = await slow.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
      const answered = await slow.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + DAY });
      const refused = await slow.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 2 * DAY }).catch((e: unknown) => e);
      expect([answered.status, answered.status_details]).toEqual(["advancing", { advancing: { target_frozen_time: T0 + DAY } }]);
      expect((refused as Stripe.errors.StripeError).statusCode).toBe(400);
      await settled(slow);
      expect(await slow.stripe.testHelpers.testClocks.retrieve(clock.id)).toMatchObject({ status: "ready", frozen_time: T0 + DAY });
      const types = slow.hooks.types().filter((t) => t.startsWith("test_helpers.test_clock."));
      expect(types.slice(-2)).toEqual(["test_helpers.test_clock.advancing", "test_helpers.test_clock.ready"]);
    } finally {
      await slow.stop();
    }
  });

  it("renews every period with a paid subscription_cycle invoice and a new period", async () => {
    const { clock, customer } = await clockCustomer();
    expect(customer.created).toBe(T0);
    const session = await env.stripe.checkout.sessions.create({ mode: "subscription", customer: customer.id, line_items: [{ price: catalog.pro.id, quantity: 1 }], success_url: "http://app.local/ok" });
    expect(session.created).toBe(T0);
    expect((await payOnHostedPage(session.url!, CARDS.ok)).status).toBe(303);
    const subId = (await env.stripe.checkout.sessions.retrieve(session.id)).subscription as string;
    await settled(env);
    env.hooks.clear();

    const after = await advance(clock, month(3) + 3600);
    expect([after.status, after.frozen_time]).toEqual(["ready", month(3) + 3600]);
    const sub = await env.stripe.subscriptions.retrieve(subId);
    expect([sub.status, sub.items.data[0]!.current_period_start, sub.items.data[0]!.current_period_end]).toEqual(["active", month(3), month(4)]);
    const invoices = await env.stripe.invoices.list({ subscription: subId });
    expect(invoices.data.map((i) => [i.billing_reason, i.status, i.amount_paid, i.created, i.period_end])).toEqual([
      ["subscription_cycle", "paid", 9900, month(3), month(3)],
      ["subscription_cycle", "paid", 9900, month(2), month(2)],
      ["subscription_cycle", "paid", 9900, month(1), month(1)],
      ["subscription_create", "paid", 9900, T0, T0],
    ]);
    expect(invoices.data[0]!.lines.data[0]!.period).toEqual({ start: month(3), end: month(4) });

    await settled(env);
    const periods = env.hooks.ofType("customer.subscription.updated").map((e) => [e.data.object.items.data[0]!.current_period_start, (e.data.previous_attributes as { items?: unknown }).items !== undefined]);
    expect(periods).toEqual([
      [month(1), true],
      [month(2), true],
      [month(3), true],
    ]);
    expect(env.hooks.ofType("invoice.paid")).toHaveLength(3);
    expect(env.hooks.types().filter((t) => t.startsWith("test_helpers."))).toEqual(["test_helpers.test_clock.advancing", "test_helpers.test_clock.ready"]);
  });

  it("leaves a renewal invoice a draft for an hour, then finalizes and charges it; a failing card fails only then", async () => {
    const { clock, customer } = await clockCustomer();
    const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    const good = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.pro.id }], default_payment_method: pm.id });
    const failing = await env.stripe.paymentMethods.attach("pm_card_chargeCustomerFail", { customer: customer.id });
    const bad = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.starter.id }], default_payment_method: pm.id });
    await env.stripe.subscriptions.update(bad.id, { default_payment_method: failing.id });
    await settled(env);
    env.hooks.clear();

    await advance(clock, month(1) + HOUR - 60);
    for (const id of [good.id, bad.id]) {
      const sub = await env.stripe.subscriptions.retrieve(id, { expand: ["latest_invoice"] });
      const draft = sub.latest_invoice as Stripe.Invoice;
      expect([sub.status, sub.items.data[0]!.current_period_start]).toEqual(["active", month(1)]);
      expect([draft.billing_reason, draft.status, draft.automatically_finalizes_at, draft.amount_paid, draft.attempted, draft.hosted_invoice_url, draft.number]).toEqual(["subscription_cycle", "draft", month(1) + HOUR, 0, false, null, null]);
    }
    await settled(env);
    expect(env.hooks.types().filter((t) => t.startsWith("invoice."))).toEqual(["invoice.created", "invoice.created"]);

    await advance(clock, month(1) + HOUR);
    const paid = await env.stripe.subscriptions.retrieve(good.id, { expand: ["latest_invoice"] });
    const invoice = paid.latest_invoice as Stripe.Invoice;
    expect([paid.status, invoice.status, invoice.amount_paid, invoice.automatically_finalizes_at, invoice.status_transitions.finalized_at]).toEqual(["active", "paid", 9900, null, month(1) + HOUR]);
    const failed = await env.stripe.subscriptions.retrieve(bad.id, { expand: ["latest_invoice"] });
    expect([failed.status, (failed.latest_invoice as Stripe.Invoice).status]).toEqual(["past_due", "open"]);
    await settled(env);
    expect(env.hooks.ofType("invoice.paid").map((e) => e.data.object.id)).toEqual([invoice.id]);
    expect(env.hooks.ofType("invoice.payment_failed").map((e) => e.data.object.id)).toEqual([(failed.latest_invoice as Stripe.Invoice).id]);
  });

  it("ends a trial by charging the default card", async () => {
    const { clock, customer } = await clockCustomer();
    const session = await env.stripe.checkout.sessions.create({ mode: "subscription", customer: customer.id, line_items: [{ price: catalog.starter.id, quantity: 1 }], subscription_data: { trial_period_days: 7 }, success_url: "http://app.local/ok" });
    await payOnHostedPage(session.url!, CARDS.ok);
    const subId = (await env.stripe.checkout.sessions.retrieve(session.id)).subscription as string;
    expect((await env.stripe.subscriptions.retrieve(subId)).status).toBe("trialing");
    await settled(env);
    env.hooks.clear();
    await advance(clock, T0 + 6 * DAY);
    expect((await env.stripe.subscriptions.retrieve(subId)).status).toBe("trialing");
    await settled(env);
    expect(env.hooks.ofType("customer.subscription.trial_will_end").map((e) => e.data.object.id)).toEqual([subId]);
    await advance(clock, T0 + 8 * DAY);
    const sub = await env.stripe.subscriptions.retrieve(subId, { expand: ["latest_invoice"] });
    expect(sub.status).toBe("active");
    expect([sub.items.data[0]!.current_period_start, sub.billing_cycle_anchor]).toEqual([T0 + 7 * DAY, T0 + 7 * DAY]);
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect([invoice.billing_reason, invoice.status, invoice.amount_paid]).toEqual(["subscription_cycle", "paid", 999]);
  });

  it("ends a trial without a card as past_due (create_invoice) or canceled (cancel)", async () => {
    const { clock, customer } = await clockCustomer();
    const open = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.starter.id }], trial_period_days: 7 });
    const cancel = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.starter.id }], trial_period_days: 7, trial_settings: { end_behavior: { missing_payment_method: "cancel" } } });
    expect([open.status, cancel.status]).toEqual(["trialing", "trialing"]);
    await advance(clock, T0 + 7 * DAY + HOUR + 1);
    const a = await env.stripe.subscriptions.retrieve(open.id, { expand: ["latest_invoice"] });
    expect(a.status).toBe("past_due");
    expect((a.latest_invoice as Stripe.Invoice).status).toBe("open");
    const b = await env.stripe.subscriptions.retrieve(cancel.id);
    expect([b.status, b.ended_at]).toEqual(["canceled", T0 + 7 * DAY]);
  });

  it("fails renewals with 0341: past_due, retries on days 3, 5, 7, then unpaid; a new card pays it", async () => {
    const { clock, customer } = await clockCustomer();
    const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    const sub = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.pro.id }], default_payment_method: pm.id });
    expect(sub.status).toBe("active");
    const failing = await env.stripe.paymentMethods.attach("pm_card_chargeCustomerFail", { customer: customer.id });
    await env.stripe.subscriptions.update(sub.id, { default_payment_method: failing.id });
    await settled(env);
    env.hooks.clear();

    // The renewal is drafted at month(1) and charged an hour later.
    const renewal = month(1) + HOUR;
    await advance(clock, renewal + 60);
    let current = await env.stripe.subscriptions.retrieve(sub.id, { expand: ["latest_invoice"] });
    expect(current.status).toBe("past_due");
    let invoice = current.latest_invoice as Stripe.Invoice;
    expect([invoice.status, invoice.attempt_count, invoice.next_payment_attempt, invoice.billing_reason]).toEqual(["open", 1, renewal + 3 * DAY, "subscription_cycle"]);
    await settled(env);
    expect(env.hooks.ofType("invoice.payment_failed").map((e) => e.data.object.id)).toEqual([invoice.id]);
    const pastDue = env.hooks.ofType("customer.subscription.updated").find((e) => e.data.object.status === "past_due");
    expect(pastDue!.data.previous_attributes).toMatchObject({ status: "active" });

    await advance(clock, renewal + 5 * DAY + 60);
    invoice = await env.stripe.invoices.retrieve(invoice.id);
    expect([invoice.attempt_count, invoice.next_payment_attempt]).toEqual([3, renewal + 7 * DAY]);
    expect((await env.stripe.subscriptions.retrieve(sub.id)).status).toBe("past_due");

    await advance(clock, renewal + 7 * DAY + 60);
    invoice = await env.stripe.invoices.retrieve(invoice.id);
    expect([invoice.status, invoice.attempt_count, invoice.next_payment_attempt]).toEqual(["open", 4, null]);
    current = await env.stripe.subscriptions.retrieve(sub.id);
    expect(current.status).toBe("unpaid");
    await settled(env);
    expect(env.hooks.ofType("invoice.payment_failed")).toHaveLength(4);

    const paid = await env.stripe.invoices.pay(invoice.id, { payment_method: "pm_card_visa" });
    expect([paid.status, paid.amount_paid]).toEqual(["paid", 9900]);
    expect((await env.stripe.subscriptions.retrieve(sub.id)).status).toBe("active");
  });

  it("cancels instead of unpaid when configured to", async () => {
    const other = await startTestEnv({ dunning: { retryDays: [2], finalAction: "cancel" } });
    try {
      const prices = await seedCatalog(other.stripe);
      const clock = await other.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
      const customer = await other.stripe.customers.create({ test_clock: clock.id });
      const pm = await other.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
      const sub = await other.stripe.subscriptions.create({ customer: customer.id, items: [{ price: prices.starter.id }], default_payment_method: pm.id });
      const bad = await other.stripe.paymentMethods.attach("pm_card_chargeCustomerFail", { customer: customer.id });
      await other.stripe.subscriptions.update(sub.id, { default_payment_method: bad.id });
      await advanceTestClock(other.stripe, clock.id, month(1) + HOUR + 2 * DAY + 60);
      const ended = await other.stripe.subscriptions.retrieve(sub.id);
      expect([ended.status, ended.cancellation_details?.reason]).toEqual(["canceled", "payment_failed"]);
    } finally {
      await other.stop();
    }
  });

  it("moves a wall-clock customer onto a new clock (an emulator-only control route), whose advance then renews it", async () => {
    const customer = await env.stripe.customers.create({ email: "wall@example.com" });
    const session = await env.stripe.checkout.sessions.create({ mode: "subscription", customer: customer.id, line_items: [{ price: catalog.starter.id, quantity: 1 }], automatic_tax: { enabled: true }, success_url: "http://app.local/ok" });
    expect((await payOnHostedPage(session.url!, CARDS.ok)).status).toBe(303);
    const subId = (await env.stripe.checkout.sessions.retrieve(session.id)).subscription as string;
    const periodEnd = (await env.stripe.subscriptions.retrieve(subId)).items.data[0]!.current_period_end;
    await settled(env);

    const before = Math.floor(Date.now() / 1000);
    const moved = await fetch(`${env.emulator.url}/__emulator/customers/${customer.id}/test_clock`, { method: "POST" });
    expect(moved.status).toBe(200);
    const clock = (await moved.json()) as Stripe.TestHelpers.TestClock;
    expect(clock.object).toBe("test_helpers.test_clock");
    expect(clock.frozen_time).toBeGreaterThanOrEqual(before);
    expect(clock.frozen_time).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect((await env.stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ test_clock: clock.id });
    expect((await env.stripe.subscriptions.retrieve(subId)).test_clock).toBe(clock.id);
    expect((await env.stripe.invoices.list({ subscription: subId })).data.map((i) => i.test_clock)).toEqual([clock.id]);
    // Once on a clock, always on it; an unknown customer is Stripe's 404.
    expect((await fetch(`${env.emulator.url}/__emulator/customers/${customer.id}/test_clock`, { method: "POST" })).status).toBe(400);
    const unknown = await fetch(`${env.emulator.url}/__emulator/customers/cus_missing/test_clock`, { method: "POST" });
    expect([unknown.status, ((await unknown.json()) as { error: { code: string } }).error.code]).toEqual([404, "resource_missing"]);

    // The rate Stripe Tax charges, changed for the renewal only.
    const taxed = await fetch(`${env.emulator.url}/__emulator/tax`, { method: "POST", body: new URLSearchParams({ percent: "10" }) });
    expect(await taxed.json()).toEqual({ tax_percent: 10 });
    expect((await fetch(`${env.emulator.url}/__emulator/tax`, { method: "POST", body: new URLSearchParams({ percent: "-1" }) })).status).toBe(400);
    try {
      await advance(clock, periodEnd + HOUR);
    } finally {
      env.emulator.setTaxPercent(0);
    }
    const invoices = (await env.stripe.invoices.list({ subscription: subId })).data;
    expect(invoices.map((i) => [i.billing_reason, i.status, i.subtotal, i.total])).toEqual([
      ["subscription_cycle", "paid", 999, 1099],
      ["subscription_create", "paid", 999, 999],
    ]);
    expect((await env.stripe.subscriptions.retrieve(subId)).items.data[0]!.current_period_start).toBe(periodEnd);
  });

  it("refuses to move a clock backwards", async () => {
    const { clock } = await clockCustomer();
    const err = await advance(clock, T0 - 1).catch((e: unknown) => e);
    expect((err as Stripe.errors.StripeError).param).toBe("frozen_time");
  });
});
