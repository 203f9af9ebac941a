import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { settled, emulatorPerFile, type TestEnv } from "../src/testing";

let env: TestEnv;

emulatorPerFile((e) => {
  env = e;
});

async function customerWithCard(token: string) {
  const customer = await env.stripe.customers.create({ email: "pay@example.com" });
  const pm = await env.stripe.paymentMethods.attach(token, { customer: customer.id });
  await env.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  return { customer, pm };
}

describe("off-session payment intents (auto top-up)", () => {
  it("succeeds with a saved 4242 card", async () => {
    const { customer, pm } = await customerWithCard("pm_card_visa");
    const pi = await env.stripe.paymentIntents.create(
      { amount: 2000, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true, metadata: { workspaceId: "ws_1", kind: "auto_topup" } },
      { idempotencyKey: "topup-ws_1-2026-11" },
    );
    expect([pi.status, pi.amount_received, pi.payment_method]).toEqual(["succeeded", 2000, pm.id]);
    const charge = await env.stripe.charges.retrieve(pi.latest_charge as string);
    expect([charge.status, charge.amount, charge.customer, charge.payment_method_details?.card?.last4]).toEqual(["succeeded", 2000, customer.id, "4242"]);
    const replay = await env.stripe.paymentIntents.create(
      { amount: 2000, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true, metadata: { workspaceId: "ws_1", kind: "auto_topup" } },
      { idempotencyKey: "topup-ws_1-2026-11" },
    );
    expect(replay.id).toBe(pi.id);
    expect((await env.stripe.charges.list({ customer: customer.id })).data).toHaveLength(1);
    await settled(env);
    expect(env.hooks.ofType("payment_intent.succeeded").map((e) => e.data.object.id)).toEqual([pi.id]);
  });

  it("declines with 0341: 402 card_error, requires_payment_method, payment_failed event", async () => {
    const { customer, pm } = await customerWithCard("pm_card_chargeCustomerFail");
    const err = await env.stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    const e = err as Stripe.errors.StripeCardError;
    expect([e.statusCode, e.code, e.decline_code]).toEqual([402, "card_declined", "generic_decline"]);
    const failed = e.payment_intent!;
    expect(failed.status).toBe("requires_payment_method");
    expect(failed.last_payment_error?.code).toBe("card_declined");
    const stored = await env.stripe.paymentIntents.retrieve(failed.id);
    expect(stored.status).toBe("requires_payment_method");
    const charge = await env.stripe.charges.retrieve(stored.latest_charge as string);
    expect([charge.status, charge.failure_code]).toEqual(["failed", "card_declined"]);
    await settled(env);
    expect(env.hooks.types()).toEqual(expect.arrayContaining(["charge.failed", "payment_intent.payment_failed"]));
    expect(env.hooks.types()).not.toContain("payment_intent.succeeded");
  });

  it("refuses to attach the 0002 card", async () => {
    const customer = await env.stripe.customers.create({});
    const err = await env.stripe.paymentMethods.attach("pm_card_chargeDeclined", { customer: customer.id }).catch((e: unknown) => e);
    expect((err as Stripe.errors.StripeError).code).toBe("card_declined");
    expect((await env.stripe.customers.listPaymentMethods(customer.id)).data).toHaveLength(0);
  });
});

describe("refunds", () => {
  async function paidIntent() {
    const { customer, pm } = await customerWithCard("pm_card_visa");
    return env.stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true });
  }

  it("refunds partly then fully, firing charge.refunded each time", async () => {
    const pi = await paidIntent();
    await settled(env);
    env.hooks.clear();
    const partial = await env.stripe.refunds.create({ payment_intent: pi.id, amount: 500 }, { idempotencyKey: `refund_${pi.id}_500` });
    expect([partial.status, partial.amount, partial.payment_intent, partial.charge]).toEqual(["succeeded", 500, pi.id, pi.latest_charge]);
    const again = await env.stripe.refunds.create({ payment_intent: pi.id, amount: 500 }, { idempotencyKey: `refund_${pi.id}_500` });
    expect(again.id).toBe(partial.id);
    let charge = await env.stripe.charges.retrieve(pi.latest_charge as string);
    expect([charge.amount_refunded, charge.refunded]).toEqual([500, false]);

    const rest = await env.stripe.refunds.create({ payment_intent: pi.id }, { idempotencyKey: `refund_${pi.id}_full` });
    expect(rest.amount).toBe(1500);
    charge = await env.stripe.charges.retrieve(pi.latest_charge as string);
    expect([charge.amount_refunded, charge.refunded]).toEqual([2000, true]);

    const over = await env.stripe.refunds.create({ charge: charge.id, amount: 1 }).catch((e: unknown) => e);
    expect((over as Stripe.errors.StripeError).code).toBe("charge_already_refunded");

    await settled(env);
    const refunded = env.hooks.ofType("charge.refunded");
    expect(refunded.map((e) => [e.data.object.amount_refunded, e.data.object.refunded])).toEqual([
      [500, false],
      [2000, true],
    ]);
    expect(refunded[0]!.data.previous_attributes).toMatchObject({ amount_refunded: 0, refunded: false });
    expect((await env.stripe.refunds.list({ payment_intent: pi.id })).data.map((r) => r.amount)).toEqual([1500, 500]);
  });

  it("card 5126: the refund answers succeeded, then fails; refund.updated and refund.failed fire and the charge's refund is undone", async () => {
    const { customer, pm } = await customerWithCard("pm_card_refundFail");
    const pi = await env.stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true });
    expect(pi.status).toBe("succeeded");
    await settled(env);
    env.hooks.clear();
    const refund = await env.stripe.refunds.create({ payment_intent: pi.id, amount: 500 }, { idempotencyKey: `refund_fail_${pi.id}` });
    expect(refund.status).toBe("succeeded");
    const later = await env.stripe.refunds.retrieve(refund.id);
    expect([later.status, later.failure_reason]).toEqual(["failed", "expired_or_canceled_card"]);
    const replay = await env.stripe.refunds.create({ payment_intent: pi.id, amount: 500 }, { idempotencyKey: `refund_fail_${pi.id}` });
    expect([replay.id, replay.status]).toEqual([refund.id, "succeeded"]);
    const charge = await env.stripe.charges.retrieve(pi.latest_charge as string);
    expect([charge.amount_refunded, charge.refunded]).toEqual([0, false]);
    expect((await env.stripe.refunds.list({ payment_intent: pi.id })).data.map((r) => r.status)).toEqual(["failed"]);
    await settled(env);
    expect(env.hooks.types()).toEqual(["refund.created", "charge.refunded", "refund.updated", "refund.failed", "charge.refund.updated"]);
    const updated = env.hooks.ofType("refund.updated")[0]!;
    expect([updated.data.object.status, updated.data.previous_attributes]).toEqual(["failed", { status: "succeeded" }]);
    expect(env.hooks.ofType("refund.failed")[0]!.data.object.id).toBe(refund.id);
  });

  it("refuses a refund larger than what is left", async () => {
    const pi = await paidIntent();
    const err = await env.stripe.refunds.create({ payment_intent: pi.id, amount: 2001 }).catch((e: unknown) => e);
    expect((err as Stripe.errors.StripeError).statusCode).toBe(400);
    expect((err as Stripe.errors.StripeError).param).toBe("amount");
  });
});

describe("Stripe Tax on payment intents, and payment methods other than cards", () => {
  it("a tax calculation gives the amount to charge; a payment intent links it through hooks", async () => {
    env.emulator.setTaxPercent(10);
    try {
      const customer = await env.stripe.customers.create({ email: "tax@example.com" });
      const calc = await env.stripe.tax.calculations.create({ currency: "usd", customer: customer.id, line_items: [{ amount: 2000, reference: "pack", tax_behavior: "exclusive" }] });
      expect([calc.object, calc.amount_total, calc.tax_amount_exclusive, calc.tax_amount_inclusive]).toEqual(["tax.calculation", 2200, 200, 0]);
      expect((await env.stripe.tax.calculations.retrieve(calc.id!)).amount_total).toBe(2200);
      const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
      const pi = await env.stripe.paymentIntents.create({ amount: calc.amount_total, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true, hooks: { inputs: { tax: { calculation: calc.id! } } } });
      expect([pi.status, pi.amount_received, pi.hooks?.inputs?.tax?.calculation]).toEqual(["succeeded", 2200, calc.id]);
      const missing = await env.stripe.paymentIntents.create({ amount: 2200, currency: "usd", customer: customer.id, payment_method: pm.id, confirm: true, hooks: { inputs: { tax: { calculation: "taxcalc_missing" } } } }).catch((e: unknown) => e);
      expect((missing as Stripe.errors.StripeError).statusCode).toBe(404);
    } finally {
      env.emulator.setTaxPercent(0);
    }
  });

  it("a saved Link method pays off-session; only the allowed types may pay; listing by type filters", async () => {
    const customer = await env.stripe.customers.create({ email: "link@example.com" });
    const card = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    const created = await env.stripe.paymentMethods.create({ type: "link", billing_details: { email: "link@example.com" } });
    const link = await env.stripe.paymentMethods.attach(created.id, { customer: customer.id });
    expect([link.type, link.link?.email, link.card]).toEqual(["link", "link@example.com", undefined]);
    expect((await env.stripe.customers.listPaymentMethods(customer.id, { type: "card" })).data.map((m) => m.id)).toEqual([card.id]);
    expect((await env.stripe.customers.listPaymentMethods(customer.id, { limit: 1 })).data.map((m) => m.id)).toEqual([link.id]);

    const pi = await env.stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: customer.id, payment_method: link.id, allowed_payment_method_types: ["link"], off_session: true, confirm: true });
    expect([pi.status, pi.payment_method_types]).toEqual(["succeeded", ["link"]]);
    const charge = await env.stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge.payment_method_details?.type).toBe("link");
    const refused = await env.stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: customer.id, payment_method: link.id, allowed_payment_method_types: ["card"], off_session: true, confirm: true }).catch((e: unknown) => e);
    expect([(refused as Stripe.errors.StripeError).statusCode, (refused as Stripe.errors.StripeError).code]).toEqual([400, "payment_intent_incompatible_payment_method"]);
  });
});
