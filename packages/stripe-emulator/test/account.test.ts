import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PORTAL_NOT_CONFIGURED_MESSAGE, TAX_NOT_ACTIVE_MESSAGE } from "../src/account";
import { seedCatalog, startTestEnv, type Catalog, type TestEnv } from "../src/testing";

// Top-level keys of Stripe's own objects at the pinned API version (stripe/openapi fixtures3.json and the SDK's types).
const KEYS = {
  taxSettings: ["defaults", "head_office", "livemode", "object", "status", "status_details"],
  portalConfiguration: ["active", "application", "business_profile", "created", "default_return_url", "features", "id", "is_default", "livemode", "login_page", "metadata", "name", "object", "updated"],
  portalFeatures: ["customer_update", "invoice_history", "payment_method_update", "subscription_cancel", "subscription_pause", "subscription_update"],
  webhookEndpoint: ["api_version", "application", "created", "description", "enabled_events", "id", "livemode", "metadata", "object", "status", "url"],
};
const sorted = (o: object) => Object.keys(o).sort();

async function refusal(p: Promise<unknown>): Promise<{ status: number | undefined; type: string; message: string }> {
  const e = await p.then(() => null, (err: unknown) => err);
  if (!(e instanceof Stripe.errors.StripeError)) throw new Error(`expected a Stripe error, got ${String(e)}`);
  return { status: e.statusCode, type: e.type, message: e.message };
}

describe("an account whose Stripe Tax and portal are set up (the tests' default)", () => {
  let env: TestEnv;
  let catalog: Catalog;
  beforeAll(async () => {
    env = await startTestEnv();
    catalog = await seedCatalog(env.stripe);
  });
  afterAll(() => env.stop());

  it("has active tax settings and a default portal configuration, in Stripe's shapes", async () => {
    const tax = await env.stripe.tax.settings.retrieve();
    expect(sorted(tax)).toEqual(KEYS.taxSettings);
    expect([tax.status, tax.status_details, tax.head_office?.address.country]).toEqual(["active", { active: {} }, "US"]);
    const configs = await env.stripe.billingPortal.configurations.list({ active: true });
    expect(configs.data).toHaveLength(1);
    expect(sorted(configs.data[0]!)).toEqual(KEYS.portalConfiguration);
    expect(sorted(configs.data[0]!.features)).toEqual(KEYS.portalFeatures);
    expect(configs.data[0]!.is_default).toBe(true);
  });

  it("takes automatic tax and opens the portal on the default configuration", async () => {
    const customer = await env.stripe.customers.create({ email: "set-up@example.com" });
    const session = await env.stripe.checkout.sessions.create({ mode: "payment", customer: customer.id, line_items: [{ price: catalog.pack.id, quantity: 1 }], automatic_tax: { enabled: true }, success_url: "http://app.local/ok" });
    expect(session.automatic_tax.enabled).toBe(true);
    const portal = await env.stripe.billingPortal.sessions.create({ customer: customer.id });
    const [config] = (await env.stripe.billingPortal.configurations.list({ is_default: true })).data;
    expect(portal.configuration).toBe(config!.id);
  });
});

describe("a fresh account: Stripe Tax not set up, no portal configuration saved", () => {
  let env: TestEnv;
  let catalog: Catalog;
  let customer: Stripe.Customer;
  beforeAll(async () => {
    env = await startTestEnv({ account: { stripeTax: false, portalConfiguration: false } });
    catalog = await seedCatalog(env.stripe);
    customer = await env.stripe.customers.create({ email: "fresh@example.com" });
  });
  afterAll(() => env.stop());

  it("reports tax settings pending, with the head office missing", async () => {
    const tax = await env.stripe.tax.settings.retrieve();
    expect(sorted(tax)).toEqual(KEYS.taxSettings);
    expect([tax.status, tax.status_details, tax.head_office]).toEqual(["pending", { pending: { missing_fields: ["head_office"] } }, null]);
  });

  it("refuses every automatic-tax request as Stripe does, and takes the same requests without it", async () => {
    const expected = { status: 400, type: "StripeInvalidRequestError", message: TAX_NOT_ACTIVE_MESSAGE };
    const line = [{ price: catalog.pack.id, quantity: 1 }];
    expect(await refusal(env.stripe.checkout.sessions.create({ mode: "payment", customer: customer.id, line_items: line, automatic_tax: { enabled: true }, success_url: "http://app.local/ok" }))).toEqual(expected);
    expect(await refusal(env.stripe.checkout.sessions.create({ mode: "subscription", customer: customer.id, line_items: [{ price: catalog.pro.id, quantity: 1 }], automatic_tax: { enabled: true }, success_url: "http://app.local/ok" }))).toEqual(expected);
    expect(await refusal(env.stripe.tax.calculations.create({ currency: "usd", customer: customer.id, line_items: [{ amount: 2000, reference: "pack" }] }))).toEqual(expected);
    const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    expect(await refusal(env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.starter.id }], default_payment_method: pm.id, automatic_tax: { enabled: true } }))).toEqual(expected);
    expect(await env.stripe.subscriptions.list({ customer: customer.id })).toMatchObject({ data: [] });

    const sub = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.starter.id }], default_payment_method: pm.id });
    expect(sub.automatic_tax.enabled).toBe(false);
    expect(await refusal(env.stripe.subscriptions.update(sub.id, { automatic_tax: { enabled: true } }))).toEqual(expected);
    const schedule = await env.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    const phase = schedule.phases[0]!;
    expect(await refusal(env.stripe.subscriptionSchedules.update(schedule.id, { phases: [{ items: [{ price: catalog.starter.id, quantity: 1 }], start_date: phase.start_date, end_date: phase.end_date, automatic_tax: { enabled: true } }] }))).toEqual(expected);
    const plain = await env.stripe.checkout.sessions.create({ mode: "payment", customer: customer.id, line_items: line, success_url: "http://app.local/ok" });
    expect([plain.status, plain.automatic_tax.enabled]).toEqual(["open", false]);
  });

  it("refuses a portal session until a configuration exists, then opens one on the configuration named", async () => {
    expect(await env.stripe.billingPortal.configurations.list()).toMatchObject({ data: [] });
    expect(await refusal(env.stripe.billingPortal.sessions.create({ customer: customer.id }))).toEqual({ status: 400, type: "StripeInvalidRequestError", message: PORTAL_NOT_CONFIGURED_MESSAGE });
    const config = await env.stripe.billingPortal.configurations.create({
      features: { invoice_history: { enabled: true }, payment_method_update: { enabled: true }, subscription_cancel: { enabled: true, mode: "at_period_end" } },
      default_return_url: "http://app.local/billing",
      metadata: { app: "test" },
    });
    expect(sorted(config)).toEqual(KEYS.portalConfiguration);
    expect(config).toMatchObject({ is_default: false, active: true, features: { invoice_history: { enabled: true }, payment_method_update: { enabled: true }, subscription_cancel: { enabled: true, mode: "at_period_end" }, subscription_update: { enabled: false } } });
    // A configuration made through the API is not the default: a session must name it.
    expect((await refusal(env.stripe.billingPortal.sessions.create({ customer: customer.id }))).message).toBe(PORTAL_NOT_CONFIGURED_MESSAGE);
    const session = await env.stripe.billingPortal.sessions.create({ customer: customer.id, configuration: config.id });
    expect([session.configuration, session.return_url]).toEqual([config.id, "http://app.local/billing"]);
    expect((await refusal(env.stripe.billingPortal.sessions.create({ customer: customer.id, configuration: "bpc_missing" }))).status).toBe(404);
    await env.stripe.billingPortal.configurations.update(config.id, { active: false });
    expect((await refusal(env.stripe.billingPortal.sessions.create({ customer: customer.id, configuration: config.id }))).status).toBe(400);
    expect((await env.stripe.billingPortal.configurations.list({ active: true })).data).toEqual([]);
  });

  it("activates Stripe Tax once a head office is set, and a reset returns to the fresh account", async () => {
    const updated = await env.stripe.tax.settings.update({ head_office: { address: { country: "DE" } }, defaults: { tax_behavior: "exclusive", tax_code: "txcd_10000000" } });
    expect([updated.status, updated.status_details]).toEqual(["active", { active: {} }]);
    const session = await env.stripe.checkout.sessions.create({ mode: "payment", customer: customer.id, line_items: [{ price: catalog.pack.id, quantity: 1 }], automatic_tax: { enabled: true }, success_url: "http://app.local/ok" });
    expect(session.automatic_tax.enabled).toBe(true);
    const events = await env.stripe.events.list({ type: "tax.settings.updated" });
    expect(events.data.map((e) => (e.data.object as Stripe.Tax.Settings).status)).toEqual(["active"]);
    env.emulator.reset();
    expect((await env.stripe.tax.settings.retrieve()).status).toBe("pending");
    expect((await env.stripe.billingPortal.configurations.list()).data).toEqual([]);
  });

  it("creates, lists and updates webhook endpoints at an API version, showing the secret only on creation", async () => {
    const created = await env.stripe.webhookEndpoints.create({ url: "https://app.example/api/webhooks/stripe", enabled_events: ["invoice.paid", "charge.refunded"], api_version: Stripe.API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion });
    expect(sorted(created)).toEqual([...KEYS.webhookEndpoint, "secret"].sort());
    expect([created.api_version, created.status, created.secret?.startsWith("whsec_")]).toEqual([Stripe.API_VERSION, "enabled", true]);
    const listed = (await env.stripe.webhookEndpoints.list()).data.find((w) => w.id === created.id)!;
    expect(sorted(listed)).toEqual(KEYS.webhookEndpoint);
    const updated = await env.stripe.webhookEndpoints.update(created.id, { enabled_events: ["invoice.paid"] });
    expect(updated.enabled_events).toEqual(["invoice.paid"]);
  });
});
