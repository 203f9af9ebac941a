import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { advanceTestClock, emulatorPerFile, settled, type Catalog, type TestEnv } from "../src/testing";

let env: TestEnv;
let catalog: Catalog;
const DAY = 86400;
const T0 = Date.UTC(2026, 0, 1) / 1000;

emulatorPerFile((e, c) => {
  env = e;
  catalog = c;
});

async function subscribed(price: Stripe.Price, extra: Partial<Stripe.SubscriptionCreateParams> = {}) {
  const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await env.stripe.customers.create({ email: "preview@example.com", test_clock: clock.id });
  const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
  const sub = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: pm.id, ...extra });
  return { clock, customer, sub, item: sub.items.data[0]! };
}

const upgradeTo = (item: Stripe.SubscriptionItem, price: Stripe.Price) => ({ items: [{ id: item.id, price: price.id }], proration_behavior: "always_invoice" as const });

describe("invoices.createPreview of a subscription change", () => {
  it("previews what the upgrade then charges, to the cent, with the proration date it answers", async () => {
    const { clock, sub, item } = await subscribed(catalog.starter);
    await advanceTestClock(env.stripe, clock.id, T0 + 9 * DAY + 3 * 3600 + 17);
    await settled(env);
    env.hooks.clear();

    const preview = await env.stripe.invoices.createPreview({ subscription: sub.id, subscription_details: upgradeTo(item, catalog.pro) });
    expect(preview.id).toMatch(/^upcoming_in_/);
    expect([preview.billing_reason, preview.status, preview.parent?.subscription_details?.subscription]).toEqual(["subscription_update", "draft", sub.id]);
    const prorationDate = preview.parent!.subscription_details!.subscription_proration_date!;
    expect(prorationDate).toBe(T0 + 9 * DAY + 3 * 3600 + 17);
    const end = item.current_period_end;
    const share = (cents: number) => Math.round((cents * (end - prorationDate)) / (end - T0));
    expect(preview.lines.data.map((l) => l.amount)).toEqual([-share(999), share(9900)]);
    expect(preview.amount_due).toBe(share(9900) - share(999));

    // Nothing was made: no invoice, no event.
    await settled(env);
    expect(env.hooks.types()).toEqual([]);
    expect((await env.stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);

    // Three hours pass (about 35 cents of Pro over Starter); with the preview's proration date the upgrade still
    // charges the previewed amount.
    await advanceTestClock(env.stripe, clock.id, prorationDate + 3 * 3600);
    const updated = await env.stripe.subscriptions.update(sub.id, { ...upgradeTo(item, catalog.pro), payment_behavior: "pending_if_incomplete", proration_date: prorationDate });
    const invoice = await env.stripe.invoices.retrieve(updated.latest_invoice as string);
    expect([invoice.status, invoice.amount_paid]).toEqual(["paid", preview.amount_due]);
  });

  it("credits in flexible mode what was billed, applies the customer's credit balance and automatic tax as the update would", async () => {
    env.emulator.setTaxPercent(10);
    try {
      const { clock, customer, sub, item } = await subscribed(catalog.starter, { automatic_tax: { enabled: true } });
      await env.stripe.customers.update(customer.id, { balance: -500 });
      await advanceTestClock(env.stripe, clock.id, T0 + 20 * DAY);
      const taxed = await env.stripe.invoices.createPreview({ subscription: sub.id, subscription_details: upgradeTo(item, catalog.pro) });
      const net = taxed.lines.data.reduce((s, l) => s + l.amount, 0);
      expect(taxed.total).toBe(net + Math.round(net / 10));
      expect([taxed.starting_balance, taxed.amount_due]).toEqual([-500, taxed.total - 500]);
      const untaxed = await env.stripe.invoices.createPreview({ subscription: sub.id, automatic_tax: { enabled: false }, subscription_details: upgradeTo(item, catalog.pro) });
      expect([untaxed.total, untaxed.amount_due]).toEqual([net, net - 500]);

      const prorationDate = taxed.parent!.subscription_details!.subscription_proration_date!;
      const updated = await env.stripe.subscriptions.update(sub.id, { ...upgradeTo(item, catalog.pro), proration_date: prorationDate });
      const invoice = await env.stripe.invoices.retrieve(updated.latest_invoice as string);
      expect([invoice.total, invoice.amount_due]).toEqual([taxed.total, taxed.amount_due]);
    } finally {
      env.emulator.setTaxPercent(0);
    }
  });

  it("an interval change previews the credit and a whole new year", async () => {
    const { clock, sub, item } = await subscribed(catalog.pro);
    await advanceTestClock(env.stripe, clock.id, T0 + 10 * DAY);
    const preview = await env.stripe.invoices.createPreview({ subscription: sub.id, subscription_details: upgradeTo(item, catalog.proAnnual) });
    const updated = await env.stripe.subscriptions.update(sub.id, { ...upgradeTo(item, catalog.proAnnual), proration_date: preview.parent!.subscription_details!.subscription_proration_date! });
    const invoice = await env.stripe.invoices.retrieve(updated.latest_invoice as string);
    expect(preview.lines.data.map((l) => l.amount)).toEqual(invoice.lines.data.map((l) => l.amount));
    expect(preview.lines.data[1]!.amount).toBe(catalog.proAnnual.unit_amount);
    expect(invoice.amount_paid).toBe(preview.amount_due);
  });

  it("refuses what it does not model, an unknown subscription and a proration date outside the period", async () => {
    const { sub, item } = await subscribed(catalog.starter);
    const fail = (params: Stripe.InvoiceCreatePreviewParams) =>
      env.stripe.invoices.createPreview(params).then(
        () => { throw new Error("the preview was answered"); },
        (e: unknown) => e as Stripe.errors.StripeError,
      );
    expect((await fail({ subscription: "sub_missing", subscription_details: upgradeTo(item, catalog.pro) })).code).toBe("resource_missing");
    expect((await fail({ subscription: sub.id })).type).toBe("StripeInvalidRequestError");
    expect((await fail({ subscription: sub.id, subscription_details: { items: [{ id: item.id, price: catalog.pro.id }] } })).type).toBe("StripeInvalidRequestError");
    const early = await fail({ subscription: sub.id, subscription_details: { ...upgradeTo(item, catalog.pro), proration_date: T0 - DAY } });
    expect([early.type, early.param]).toEqual(["StripeInvalidRequestError", "proration_date"]);
    const unknown = await fail({ subscription: sub.id, subscription_details: upgradeTo(item, catalog.pro), ...({ upcoming: true } as object) });
    expect([unknown.code, unknown.param]).toEqual(["parameter_unknown", "upcoming"]);
  });
});
