import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { advanceTestClock, BANK, CARDS, emulatorPerFile, payByBankOnHostedPage, payOnHostedPage, payWithAuthentication, postForm, settled, type Catalog, type TestEnv } from "../src/testing";

// 3-D Secure, insufficient funds, asynchronous bank debits, disputes and finalization failures: the test
// cards and accounts behave as on Stripe, and each sends the events Stripe sends.

let env: TestEnv;
let catalog: Catalog;
const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const HOUR = 3600;

emulatorPerFile((e, c) => {
  env = e;
  catalog = c;
});

async function clockCustomer(address?: Stripe.AddressParam) {
  const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await env.stripe.customers.create({ email: "sca@example.com", test_clock: clock.id, ...(address ? { address } : {}) });
  return { clock, customer };
}

/** A Starter subscription bought through checkout with `card` (3-D Secure cards are authenticated there). */
async function subscribed(card: string, opts: { automaticTax?: boolean } = {}) {
  const { clock, customer } = await clockCustomer();
  const session = await env.stripe.checkout.sessions.create({ mode: "subscription", customer: customer.id, line_items: [{ price: catalog.starter.id, quantity: 1 }], success_url: "http://app.local/ok", ...(opts.automaticTax ? { automatic_tax: { enabled: true } } : {}) });
  const auth = card === CARDS.authAlways || card === CARDS.authUnlessSetUp;
  const res = auth ? await payWithAuthentication(session.url!, card) : await payOnHostedPage(session.url!, card);
  expect(res.status).toBe(303);
  const sub = await env.stripe.subscriptions.retrieve((await env.stripe.checkout.sessions.retrieve(session.id)).subscription as string);
  expect(sub.status).toBe("active");
  await settled(env);
  env.hooks.clear();
  return { clock, customer, sub };
}

const pending = (pi: Stripe.PaymentIntent) => pi.status;

describe("3-D Secure", () => {
  it("checkout asks for authentication; failing it charges nothing, completing it pays", async () => {
    const session = await env.stripe.checkout.sessions.create({ mode: "payment", line_items: [{ price: catalog.pack.id, quantity: 1 }], success_url: "http://app.local/ok" });
    const challenge = await payOnHostedPage(session.url!, CARDS.authAlways);
    expect([challenge.status, await challenge.text()]).toEqual([200, expect.stringContaining("Complete authentication")]);
    const failed = await payWithAuthentication(session.url!, CARDS.authAlways, "fail");
    expect([failed.status, await failed.text()]).toEqual([402, expect.stringContaining("unable to authenticate")]);
    expect((await env.stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
    expect((await payWithAuthentication(session.url!, CARDS.authAlways)).status).toBe(303);
    expect((await env.stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe("paid");
  });

  it("a renewal charged to 3184 waits for authentication: past_due, payment_action_required, paid on the hosted page", async () => {
    const { clock, sub } = await subscribed(CARDS.authAlways);
    await advanceTestClock(env.stripe, clock.id, sub.items.data[0]!.current_period_end + HOUR);
    const renewed = await env.stripe.subscriptions.retrieve(sub.id, { expand: ["latest_invoice.payments"] });
    const invoice = renewed.latest_invoice as Stripe.Invoice;
    expect([renewed.status, invoice.status, invoice.billing_reason]).toEqual(["past_due", "open", "subscription_cycle"]);
    const pi = await env.stripe.paymentIntents.retrieve(invoice.payments!.data[0]!.payment.payment_intent as string);
    expect(pending(pi)).toBe("requires_action");
    await settled(env);
    expect(env.hooks.types()).toEqual(expect.arrayContaining(["invoice.payment_failed", "invoice.payment_action_required", "payment_intent.requires_action"]));
    const payError = await env.stripe.invoices.pay(invoice.id!).catch((e: unknown) => e as Stripe.errors.StripeError);
    expect((payError as Stripe.errors.StripeError).code).toBe("invoice_payment_intent_requires_action");

    const page = await fetch(invoice.hosted_invoice_url!);
    expect(await page.text()).toContain("needs you to confirm this payment");
    expect((await postForm(invoice.hosted_invoice_url!, { authenticate: "fail" })).status).toBe(402);
    expect((await env.stripe.invoices.retrieve(invoice.id!)).status).toBe("open");
    expect((await postForm(invoice.hosted_invoice_url!, { authenticate: "complete" })).status).toBe(303);
    expect((await env.stripe.invoices.retrieve(invoice.id!)).status).toBe("paid");
    expect((await env.stripe.subscriptions.retrieve(sub.id)).status).toBe("active");
  });

  it("3155 authenticated at checkout pays its renewals off session", async () => {
    const { clock, sub } = await subscribed(CARDS.authUnlessSetUp);
    await advanceTestClock(env.stripe, clock.id, sub.items.data[0]!.current_period_end + HOUR);
    const invoice = (await env.stripe.subscriptions.retrieve(sub.id, { expand: ["latest_invoice"] })).latest_invoice as Stripe.Invoice;
    expect(invoice.status).toBe("paid");
  });

  it("3155 never set up asks again off session: a payment intent answers authentication_required", async () => {
    const customer = await env.stripe.customers.create({});
    const pm = await env.stripe.paymentMethods.attach("pm_card_authenticationRequiredOnSetup", { customer: customer.id });
    const err = (await env.stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true }).catch((e: unknown) => e)) as Stripe.errors.StripeCardError;
    expect([err.code, err.decline_code, err.payment_intent?.status]).toEqual(["authentication_required", "authentication_required", "requires_payment_method"]);
    const onSession = await env.stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: customer.id, payment_method: pm.id, confirm: true });
    expect(onSession.status).toBe("requires_action");
  });

  it("an upgrade with pending_if_incomplete waits for authentication and applies once the invoice is paid", async () => {
    const { sub } = await subscribed(CARDS.authAlways);
    const item = sub.items.data[0]!;
    const refused = await env.stripe.subscriptions.update(sub.id, { items: [{ id: item.id, price: catalog.pro.id }], proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete", metadata: { a: "b" } }).catch((e: unknown) => e as Stripe.errors.StripeError);
    expect([(refused as Stripe.errors.StripeError).statusCode, (refused as Stripe.errors.StripeError).param]).toEqual([400, "metadata"]);

    const waiting = await env.stripe.subscriptions.update(sub.id, { items: [{ id: item.id, price: catalog.pro.id }], proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete", expand: ["latest_invoice"] });
    expect([waiting.status, waiting.items.data[0]!.price.id, (waiting.pending_update?.subscription_items?.[0]?.price as Stripe.Price).id]).toEqual(["active", catalog.starter.id, catalog.pro.id]);
    expect(waiting.pending_update!.expires_at).toBeLessThanOrEqual(T0 + 23 * HOUR);
    const invoice = waiting.latest_invoice as Stripe.Invoice;
    expect([invoice.status, invoice.billing_reason]).toEqual(["open", "subscription_update"]);
    await settled(env);
    expect(env.hooks.types()).toContain("invoice.payment_action_required");
    expect((await postForm(invoice.hosted_invoice_url!, { authenticate: "complete" })).status).toBe(303);
    const upgraded = await env.stripe.subscriptions.retrieve(sub.id);
    expect([upgraded.status, upgraded.items.data[0]!.price.id, upgraded.pending_update]).toEqual(["active", catalog.pro.id, null]);
    await settled(env);
    expect(env.hooks.types()).toEqual(expect.arrayContaining(["invoice.paid", "customer.subscription.pending_update_applied"]));
  });

  it("an abandoned pending update expires: the invoice is voided and the subscription keeps its price", async () => {
    const { clock, sub } = await subscribed(CARDS.authAlways);
    const item = sub.items.data[0]!;
    const waiting = await env.stripe.subscriptions.update(sub.id, { items: [{ id: item.id, price: catalog.pro.id }], proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete" });
    await advanceTestClock(env.stripe, clock.id, waiting.pending_update!.expires_at + 60);
    const after = await env.stripe.subscriptions.retrieve(sub.id);
    expect([after.pending_update, after.items.data[0]!.price.id, after.status]).toEqual([null, catalog.starter.id, "active"]);
    expect((await env.stripe.invoices.retrieve(waiting.latest_invoice as string)).status).toBe("void");
    await settled(env);
    expect(env.hooks.types()).toEqual(expect.arrayContaining(["customer.subscription.pending_update_expired", "invoice.voided"]));
  });

  it("a declined pending update leaves a declined open invoice; voiding it drops the update", async () => {
    const { sub, customer } = await subscribed(CARDS.ok);
    const pm = await env.stripe.paymentMethods.attach("pm_card_visa_chargeDeclinedInsufficientFunds", { customer: customer.id });
    await env.stripe.subscriptions.update(sub.id, { default_payment_method: pm.id });
    const waiting = await env.stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: catalog.pro.id }], proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete", expand: ["latest_invoice.payments"] });
    const invoice = waiting.latest_invoice as Stripe.Invoice;
    const pi = await env.stripe.paymentIntents.retrieve(invoice.payments!.data[0]!.payment.payment_intent as string);
    expect([pi.status, pi.last_payment_error?.decline_code, pi.last_payment_error?.message]).toEqual(["requires_payment_method", "insufficient_funds", "Your card has insufficient funds."]);
    expect(waiting.pending_update).not.toBeNull();
    await env.stripe.invoices.voidInvoice(invoice.id!);
    expect((await env.stripe.subscriptions.retrieve(sub.id)).pending_update).toBeNull();
  });
});

describe("insufficient funds (9995)", () => {
  it("is refused at checkout with Stripe's words and the insufficient_funds decline code", async () => {
    const session = await env.stripe.checkout.sessions.create({ mode: "payment", line_items: [{ price: catalog.pack.id, quantity: 1 }], success_url: "http://app.local/ok" });
    const res = await payOnHostedPage(session.url!, CARDS.insufficientFunds);
    expect([res.status, await res.text()]).toEqual([402, expect.stringContaining("Your card has insufficient funds.")]);
    const customer = await env.stripe.customers.create({});
    const pm = await env.stripe.paymentMethods.attach("pm_card_visa_chargeDeclinedInsufficientFunds", { customer: customer.id });
    const err = (await env.stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true }).catch((e: unknown) => e)) as Stripe.errors.StripeCardError;
    expect([err.code, err.decline_code]).toEqual(["card_declined", "insufficient_funds"]);
    const charge = await env.stripe.charges.retrieve(err.payment_intent!.latest_charge as string);
    expect([charge.status, charge.outcome?.reason]).toEqual(["failed", "insufficient_funds"]);
  });
});

describe("bank debits (us_bank_account)", () => {
  async function packSession(customer: string) {
    return env.stripe.checkout.sessions.create({ mode: "payment", customer, line_items: [{ price: catalog.pack.id, quantity: 1 }], success_url: "http://app.local/ok", payment_intent_data: { metadata: { kind: "extras" } } });
  }

  it("completes unpaid and processing, then async_payment_succeeded once it settles", async () => {
    const { clock, customer } = await clockCustomer();
    const session = await packSession(customer.id);
    expect(session.payment_method_types).toEqual(["card", "us_bank_account"]);
    expect((await payByBankOnHostedPage(session.url!, BANK.settles)).status).toBe(303);
    const done = await env.stripe.checkout.sessions.retrieve(session.id);
    expect([done.status, done.payment_status]).toEqual(["complete", "unpaid"]);
    expect((await env.stripe.paymentIntents.retrieve(done.payment_intent as string)).status).toBe("processing");
    await advanceTestClock(env.stripe, clock.id, T0 + 120);
    const paid = await env.stripe.checkout.sessions.retrieve(session.id);
    expect(paid.payment_status).toBe("paid");
    expect((await env.stripe.paymentIntents.retrieve(done.payment_intent as string)).status).toBe("succeeded");
    await settled(env);
    expect(env.hooks.types().filter((t) => t.startsWith("checkout.session"))).toEqual(["checkout.session.completed", "checkout.session.async_payment_succeeded"]);
  });

  it("an account without funds fails later: async_payment_failed", async () => {
    const { clock, customer } = await clockCustomer();
    const session = await packSession(customer.id);
    await payByBankOnHostedPage(session.url!, BANK.insufficientFunds);
    await advanceTestClock(env.stripe, clock.id, T0 + 120);
    const pi = await env.stripe.paymentIntents.retrieve((await env.stripe.checkout.sessions.retrieve(session.id)).payment_intent as string);
    expect([pi.status, pi.last_payment_error?.code]).toEqual(["requires_payment_method", "insufficient_funds"]);
    expect((await env.stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe("unpaid");
    await settled(env);
    expect(env.hooks.types()).toContain("checkout.session.async_payment_failed");
    expect(env.hooks.types()).not.toContain("checkout.session.async_payment_succeeded");
  });
});

describe("disputes (0259)", () => {
  async function disputedPayment() {
    const session = await env.stripe.checkout.sessions.create({ mode: "payment", line_items: [{ price: catalog.pack.id, quantity: 1 }], success_url: "http://app.local/ok" });
    expect((await payOnHostedPage(session.url!, CARDS.disputed)).status).toBe(303);
    await settled(env);
    const pi = (await env.stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
    const [dispute] = (await env.stripe.disputes.list({ payment_intent: pi })).data;
    return { pi, dispute: dispute! };
  }

  it("the payment succeeds, then is disputed as fraudulent after checkout completed; refunds are refused", async () => {
    const { pi, dispute } = await disputedPayment();
    expect([dispute.status, dispute.reason, dispute.amount]).toEqual(["needs_response", "fraudulent", 2000]);
    const types = env.hooks.types();
    expect(types.indexOf("charge.dispute.created")).toBeGreaterThan(types.indexOf("checkout.session.completed"));
    expect((await env.stripe.charges.retrieve(dispute.charge as string)).disputed).toBe(true);
    const refused = (await env.stripe.refunds.create({ payment_intent: pi }).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(refused.code).toBe("charge_disputed");
  });

  it("winning evidence wins it, losing evidence or accepting loses it (charge.dispute.closed)", async () => {
    const won = (await disputedPayment()).dispute;
    expect((await env.stripe.disputes.update(won.id, { evidence: { uncategorized_text: "winning_evidence" } })).status).toBe("won");
    const lost = (await disputedPayment()).dispute;
    expect((await env.stripe.disputes.update(lost.id, { evidence: { uncategorized_text: "losing_evidence" } })).status).toBe("lost");
    const accepted = (await disputedPayment()).dispute;
    expect((await env.stripe.disputes.close(accepted.id)).status).toBe("lost");
    await settled(env);
    expect(env.hooks.ofType("charge.dispute.closed").map((e) => [e.data.object.id, e.data.object.status])).toEqual([
      [won.id, "won"],
      [lost.id, "lost"],
      [accepted.id, "lost"],
    ]);
  });
});

describe("finalization failures", () => {
  it("a renewal with automatic tax for a customer Stripe Tax cannot locate stays a draft: invoice.finalization_failed", async () => {
    const { clock, customer, sub } = await subscribed(CARDS.ok, { automaticTax: true });
    await env.stripe.customers.update(customer.id, { address: { country: "US", postal_code: "ABCDE" } });
    await advanceTestClock(env.stripe, clock.id, sub.items.data[0]!.current_period_end + HOUR);
    const invoice = (await env.stripe.subscriptions.retrieve(sub.id, { expand: ["latest_invoice"] })).latest_invoice as Stripe.Invoice;
    expect([invoice.status, invoice.last_finalization_error?.code]).toEqual(["draft", "customer_tax_location_invalid"]);
    await settled(env);
    expect(env.hooks.types()).toContain("invoice.finalization_failed");
    await env.stripe.customers.update(customer.id, { address: { postal_code: "94103" } });
    expect((await env.stripe.invoices.finalizeInvoice(invoice.id!)).status).toBe("paid");
  });
});
