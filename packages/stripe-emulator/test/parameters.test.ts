import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { buildRouter } from "../src/api";
import { ACCEPTED_PARAMETERS } from "../src/parameters";
import { emulatorPerFile, type TestEnv } from "../src/testing";

let env: TestEnv;
emulatorPerFile((e) => {
  env = e;
});

async function failure(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!(err instanceof Stripe.errors.StripeError)) throw new Error(`expected a Stripe error, got ${String(err)}`);
  return err;
}

describe("unknown parameters", () => {
  it("every endpoint has the list of parameters Stripe accepts on it", () => {
    const routes = buildRouter().routes();
    expect(routes.length).toBeGreaterThan(80);
    expect(routes.filter((r) => !ACCEPTED_PARAMETERS[r])).toEqual([]);
  });

  it("are refused with Stripe's 400 parameter_unknown before anything happens", async () => {
    const err = await failure(env.stripe.customers.create({ email: "a@example.com", plan: "pro" } as Stripe.CustomerCreateParams));
    expect([err.statusCode, err.type, err.code, err.param, err.message]).toEqual([400, "StripeInvalidRequestError", "parameter_unknown", "plan", "Received unknown parameter: plan"]);
    expect((await env.stripe.customers.list()).data).toEqual([]);
  });

  it("are refused on the calls the app makes: checkout, subscription updates, refunds, lists", async () => {
    const customer = await env.stripe.customers.create({ email: "b@example.com" });
    const price = (await env.stripe.prices.list({ limit: 1 })).data[0]!;
    const calls: [string, Promise<unknown>][] = [
      ["tax_percent", env.stripe.checkout.sessions.create({ mode: "payment", line_items: [{ price: price.id, quantity: 1 }], success_url: "http://app.local/ok", tax_percent: 10 } as Stripe.Checkout.SessionCreateParams)],
      ["prorate", env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], prorate: true } as Stripe.SubscriptionCreateParams)],
      ["amount_cents", env.stripe.refunds.create({ payment_intent: "pi_x", amount_cents: 500 } as Stripe.RefundCreateParams)],
      ["workspace", env.stripe.events.list({ workspace: "ws_1" } as Stripe.EventListParams)],
    ];
    const params = await Promise.all(calls.map(async ([, call]) => (await failure(call)).param));
    expect(params).toEqual(["tax_percent", "prorate", "amount_cents", "workspace"]);
  });
});

describe("unknown nested parameters", () => {
  it("are refused with the full path of the key, in hashes and in arrays of hashes, before anything happens", async () => {
    const customer = await env.stripe.customers.create({ email: "n@example.com" });
    const [price] = (await env.stripe.prices.list({ limit: 1 })).data;
    const checkout = (extra: Record<string, unknown>) =>
      env.stripe.checkout.sessions.create({ mode: "subscription", customer: customer.id, line_items: [{ price: price!.id, quantity: 1 }], success_url: "http://app.local/ok", ...extra } as Stripe.Checkout.SessionCreateParams);
    const calls: Promise<unknown>[] = [
      checkout({ line_items: [{ price: price!.id, quantity: 1 }, { price: price!.id, bogus: "1" }] }),
      checkout({ subscription_data: { metadata: { planKey: "pro" }, bogus: "1" } }),
      checkout({ automatic_tax: { enabled: true, rate: "10" } }),
      checkout({ mode: "payment", payment_intent_data: { setup_future_usage: "off_session", off_session: true } }),
      env.stripe.subscriptions.update("sub_missing", { items: [{ id: "si_1", price: price!.id, prorate: true }] } as unknown as Stripe.SubscriptionUpdateParams),
      env.stripe.subscriptionSchedules.update("sub_sched_missing", { phases: [{ items: [{ price: price!.id }], duration: { interval: "month", months: 1 } }] } as unknown as Stripe.SubscriptionScheduleUpdateParams),
    ];
    const errors = await Promise.all(calls.map(failure));
    expect(errors.map((e) => [e.statusCode, e.code, e.param])).toEqual([
      [400, "parameter_unknown", "line_items[1][bogus]"],
      [400, "parameter_unknown", "subscription_data[bogus]"],
      [400, "parameter_unknown", "automatic_tax[rate]"],
      [400, "parameter_unknown", "payment_intent_data[off_session]"],
      [400, "parameter_unknown", "items[0][prorate]"],
      [400, "parameter_unknown", "phases[0][duration][months]"],
    ]);
    expect(errors[0]!.message).toBe("Received unknown parameter: line_items[1][bogus]");
    expect((await env.stripe.checkout.sessions.list({ customer: customer.id })).data).toEqual([]);
  });

  it("free-form hashes (metadata) and every nested key the app sends are accepted", async () => {
    const customer = await env.stripe.customers.create({ email: "m@example.com" });
    const [price] = (await env.stripe.prices.list({ type: "recurring", limit: 1 })).data;
    const session = await env.stripe.checkout.sessions.create({
      mode: "subscription", customer: customer.id, line_items: [{ price: price!.id, quantity: 1 }], success_url: "http://app.local/ok",
      subscription_data: { metadata: { anything: "goes" }, trial_end: Math.floor(Date.now() / 1000) + 7 * 86_400 },
      automatic_tax: { enabled: true }, customer_update: { address: "auto" }, billing_address_collection: "required",
    });
    expect(session.status).toBe("open");
  });
});

describe("idempotent replay of errors", () => {
  it("a request that failed once it ran answers the same error on replay, even after things changed", async () => {
    const customer = await env.stripe.customers.create({ email: "c@example.com" });
    const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    const pi = await env.stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true });
    const tooMuch = () => env.stripe.refunds.create({ payment_intent: pi.id, amount: 5000 }, { idempotencyKey: "refund-too-much" });
    const first = await failure(tooMuch());
    expect([first.statusCode, first.code]).toEqual([400, "amount_too_large"]);
    const replay = await failure(tooMuch());
    expect([replay.statusCode, replay.code, replay.message, replay.headers?.["idempotent-replayed"]]).toEqual([400, "amount_too_large", first.message, "true"]);

    const missing = () => env.stripe.subscriptions.update("sub_missing", { metadata: { a: "1" } }, { idempotencyKey: "update-missing" });
    const notFound = await failure(missing());
    expect([notFound.statusCode, notFound.code]).toEqual([404, "resource_missing"]);
    expect((await failure(missing())).headers?.["idempotent-replayed"]).toBe("true");

    const declined = await env.stripe.paymentMethods.attach("pm_card_chargeCustomerFail", { customer: customer.id });
    const charge = () => env.stripe.paymentIntents.create({ amount: 900, currency: "usd", customer: customer.id, payment_method: declined.id, off_session: true, confirm: true }, { idempotencyKey: "charge-declined" });
    expect((await failure(charge())).statusCode).toBe(402);
    const again = await failure(charge());
    expect([again.statusCode, again.headers?.["idempotent-replayed"]]).toEqual([402, "true"]);
    expect((await env.stripe.paymentIntents.list({ customer: customer.id })).data).toHaveLength(2);
  });

  it("a request whose parameters failed validation saves nothing: the key works with corrected parameters", async () => {
    const err = await failure(env.stripe.customers.create({ email: "d@example.com", plan: "pro" } as Stripe.CustomerCreateParams, { idempotencyKey: "create-d" }));
    expect(err.code).toBe("parameter_unknown");
    const created = await env.stripe.customers.create({ email: "d@example.com" }, { idempotencyKey: "create-d" });
    expect(created.email).toBe("d@example.com");
    const missing = await failure(env.stripe.prices.create({ currency: "usd", unit_amount: 100 }, { idempotencyKey: "price-1" }));
    expect(missing.code).toBe("parameter_missing");
    const product = await env.stripe.products.create({ name: "P" });
    expect((await env.stripe.prices.create({ currency: "usd", unit_amount: 100, product: product.id }, { idempotencyKey: "price-1" })).unit_amount).toBe(100);
  });
});
