import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { WEBHOOK_SECRET, settled, emulatorPerFile, type Catalog, type TestEnv } from "../src/testing";

let env: TestEnv;
let catalog: Catalog;

emulatorPerFile((e, c) => {
  env = e;
  catalog = c;
});

describe("requests", () => {
  it("refuses a request without an API key with 401 in Stripe's error shape", async () => {
    const res = await fetch(`${env.emulator.url}/v1/customers`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toMatch(/You did not provide an API key/);
  });

  it("answers 404 resource_missing for an unknown id", async () => {
    const err = await env.stripe.customers.retrieve("cus_missing").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    const e = err as Stripe.errors.StripeInvalidRequestError;
    expect(e.statusCode).toBe(404);
    expect(e.code).toBe("resource_missing");
    expect(e.param).toBe("id");
  });

  it("decodes nested form parameters and merges metadata", async () => {
    const c = await env.stripe.customers.create({ email: "a@example.com", metadata: { workspaceId: "ws_1", plan: "pro" } });
    expect(c.metadata).toEqual({ workspaceId: "ws_1", plan: "pro" });
    const updated = await env.stripe.customers.update(c.id, { metadata: { plan: "", extra: "x" } });
    expect(updated.metadata).toEqual({ workspaceId: "ws_1", extra: "x" });
    const found = await env.stripe.customers.search({ query: "metadata['workspaceId']:'ws_1'" });
    expect(found.data.map((x) => x.id)).toEqual([c.id]);
  });

  it("lists newest first with limit and starting_after, and filters prices by lookup_keys", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await env.stripe.customers.create({ email: `c${i}@example.com` })).id);
    const page1 = await env.stripe.customers.list({ limit: 2 });
    expect(page1.object).toBe("list");
    expect(page1.url).toBe("/v1/customers");
    expect(page1.data.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    expect(page1.has_more).toBe(true);
    const page3 = await env.stripe.customers.list({ limit: 2, starting_after: ids[1] });
    expect(page3.data.map((c) => c.id)).toEqual([ids[0]]);
    expect(page3.has_more).toBe(false);
    const all: string[] = [];
    for await (const c of env.stripe.customers.list({ limit: 2 })) all.push(c.id);
    expect(all).toEqual([...ids].reverse());

    const prices = await env.stripe.prices.list({ lookup_keys: ["pro_monthly", "pack_500"], expand: ["data.product"] });
    expect(prices.data.map((p) => p.id).sort()).toEqual([catalog.pro.id, catalog.pack.id].sort());
    expect((prices.data.find((p) => p.id === catalog.pro.id)!.product as Stripe.Product).name).toBe("Pro");
  });

  it("moves a lookup key with transfer_lookup_key and refuses a duplicate without it", async () => {
    const dup = await env.stripe.prices.create({ product: catalog.pro.product as string, currency: "usd", unit_amount: 8900, recurring: { interval: "month" }, lookup_key: "pro_monthly" }).catch((e: unknown) => e);
    expect((dup as Stripe.errors.StripeError).type).toBe("StripeInvalidRequestError");
    const moved = await env.stripe.prices.create({ product: catalog.pro.product as string, currency: "usd", unit_amount: 8900, recurring: { interval: "month" }, lookup_key: "pro_monthly", transfer_lookup_key: true });
    const old = await env.stripe.prices.retrieve(catalog.pro.id);
    expect(old.lookup_key).toBeNull();
    const byKey = await env.stripe.prices.list({ lookup_keys: ["pro_monthly"] });
    expect(byKey.data.map((p) => p.id)).toEqual([moved.id]);
  });
});

describe("latency", () => {
  it("holds each API request for the set latency, and answers at once again when set back to 0", async () => {
    env.emulator.setLatency(300);
    try {
      const started = Date.now();
      await env.stripe.customers.list({ limit: 1 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      env.emulator.setLatency(0);
    }
    const started = Date.now();
    await env.stripe.customers.list({ limit: 1 });
    expect(Date.now() - started).toBeLessThan(300);
  });
});

describe("idempotency", () => {
  it("replays the stored response for the same key and parameters", async () => {
    const first = await env.stripe.customers.create({ email: "x@example.com" }, { idempotencyKey: "idem-1" });
    const again = await env.stripe.customers.create({ email: "x@example.com" }, { idempotencyKey: "idem-1" });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers["idempotent-replayed"]).toBe("true");
    expect(first.lastResponse.headers["idempotent-replayed"]).toBeUndefined();
    const list = await env.stripe.customers.list({ email: "x@example.com" });
    expect(list.data).toHaveLength(1);
    const created = await env.stripe.events.list({ type: "customer.created" });
    expect(created.data).toHaveLength(1);
  });

  it("answers 400 idempotency_error for the same key with different parameters", async () => {
    await env.stripe.customers.create({ email: "x@example.com" }, { idempotencyKey: "idem-2" });
    const err = await env.stripe.customers.create({ email: "y@example.com" }, { idempotencyKey: "idem-2" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((err as Stripe.errors.StripeError).statusCode).toBe(400);
    expect((err as Stripe.errors.StripeError).message).toMatch(/same parameters/);
  });

  it("yields one checkout session for a double-submitted create", async () => {
    const params: Stripe.Checkout.SessionCreateParams = { mode: "subscription", line_items: [{ price: catalog.pro.id, quantity: 1 }], success_url: "http://app.local/ok?session_id={CHECKOUT_SESSION_ID}", client_reference_id: "ws_1" };
    const [a, b] = await Promise.all([
      env.stripe.checkout.sessions.create(params, { idempotencyKey: "checkout-ws_1-pro" }),
      env.stripe.checkout.sessions.create(params, { idempotencyKey: "checkout-ws_1-pro" }),
    ]);
    expect(a.id).toBe(b.id);
    const sessions = await env.stripe.checkout.sessions.list();
    expect(sessions.data).toHaveLength(1);
  });
});

describe("events", () => {
  it("lists events by type and created, retrieves one, and delivers them signed", async () => {
    const c = await env.stripe.customers.create({ email: "ev@example.com" }, { idempotencyKey: "ev-key" });
    await env.stripe.customers.update(c.id, { name: "Eve" });
    const created = await env.stripe.events.list({ type: "customer.created" });
    expect(created.data).toHaveLength(1);
    const event = created.data[0]!;
    expect(event.object).toBe("event");
    expect(event.livemode).toBe(false);
    expect(event.api_version).toBe(Stripe.API_VERSION);
    expect(event.request).toEqual({ id: expect.stringMatching(/^req_/), idempotency_key: "ev-key" });
    expect((event.data.object as Stripe.Customer).id).toBe(c.id);
    const updated = await env.stripe.events.list({ type: "customer.*" });
    expect(updated.data.map((e) => e.type)).toEqual(["customer.updated", "customer.created"]);
    expect(updated.data[0]!.data.previous_attributes).toEqual({ name: null });
    const since = await env.stripe.events.list({ created: { gte: event.created + 3600 } });
    expect(since.data).toHaveLength(0);
    const one = await env.stripe.events.retrieve(event.id);
    expect(one.id).toBe(event.id);

    await settled(env);
    const delivered = env.hooks.received.filter((r) => r.event.type.startsWith("customer."));
    expect(delivered.map((r) => r.event.type)).toEqual(["customer.created", "customer.updated"]);
    expect(delivered[0]!.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const { body, signature } = delivered[0]!;
    expect(env.stripe.webhooks.constructEvent(body, signature, WEBHOOK_SECRET).id).toBe(event.id);
    expect(() => env.stripe.webhooks.constructEvent(body, signature, "whsec_wrong")).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() => env.stripe.webhooks.constructEvent(body.replace("ev@example.com", "evil@example.com"), signature, WEBHOOK_SECRET)).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it("redelivers a stored event on request", async () => {
    const c = await env.stripe.customers.create({ email: "again@example.com" });
    await settled(env);
    const [event] = env.hooks.ofType("customer.created");
    expect(env.emulator.redeliver(event!.id)).toBe(true);
    const res = await fetch(`${env.emulator.url}/__emulator/events/${event!.id}/redeliver`, { method: "POST" });
    expect(res.status).toBe(200);
    await settled(env);
    expect(env.hooks.ofType("customer.created").map((e) => [e.id, e.data.object.id])).toEqual([
      [event!.id, c.id],
      [event!.id, c.id],
      [event!.id, c.id],
    ]);
  });

  it("retries a delivery answered 500 until it succeeds, without holding later events", async () => {
    env.hooks.failNext = 2;
    const c = await env.stripe.customers.create({ email: "retry@example.com" });
    await settled(env);
    const createdEvents = env.hooks.ofType("customer.created");
    expect(createdEvents).toHaveLength(1);
    expect(createdEvents[0]!.data.object.id).toBe(c.id);
    expect(env.hooks.failedDeliveries).toEqual([createdEvents[0]!.id, createdEvents[0]!.id]);
    const attempts = env.emulator.emulator.webhooks.attempts.filter((a) => a.eventId === createdEvents[0]!.id);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
  });

  it("registers a webhook endpoint at runtime and delivers to it with the configured secret", async () => {
    const endpoint = await env.stripe.webhookEndpoints.create({ url: env.hooks.url, enabled_events: ["product.created"] });
    expect(endpoint.secret).toBe("whsec_test_emulator_secret");
    await env.stripe.products.create({ name: "Extra" });
    await settled(env);
    expect(env.hooks.ofType("product.created").filter((e) => e.data.object.name === "Extra")).toHaveLength(2);
    const listed = await env.stripe.webhookEndpoints.list();
    expect(listed.data.map((e) => e.id)).toContain(endpoint.id);
    expect(listed.data.every((e) => e.secret === undefined)).toBe(true);
  });

  it("does not hold the API response while the endpoint is slow or down", async () => {
    env.emulator.setWebhookUrl("http://127.0.0.1:9/unreachable");
    const started = Date.now();
    const c = await env.stripe.customers.create({ email: "fast@example.com" });
    expect(Date.now() - started).toBeLessThan(500);
    await settled(env);
    const [event] = (await env.stripe.events.list({ type: "customer.created" })).data;
    expect((event!.data.object as Stripe.Customer).id).toBe(c.id);
    expect(event!.pending_webhooks).toBe(0);
    const attempts = env.emulator.emulator.webhooks.attempts.filter((a) => a.eventId === event!.id);
    expect(attempts).toHaveLength(4);
    expect(attempts.every((a) => a.status === null && a.error !== null)).toBe(true);
    env.emulator.setWebhookUrl(env.hooks.url);
  });
});
