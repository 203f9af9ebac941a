import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { CARDS, payOnHostedPage, settled, emulatorPerFile, type Catalog, type TestEnv } from "../src/testing";

let env: TestEnv;
let catalog: Catalog;

emulatorPerFile((e, c) => {
  env = e;
  catalog = c;
});

const SUCCESS = "http://app.local/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}";

describe("checkout in subscription mode", () => {
  async function createSession(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
    return env.stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ price: catalog.pro.id, quantity: 1 }],
      client_reference_id: "ws_1",
      metadata: { workspaceId: "ws_1", planKey: "pro", planVersion: "1" },
      subscription_data: { metadata: { workspaceId: "ws_1", planKey: "pro" } },
      automatic_tax: { enabled: true },
      success_url: SUCCESS,
      cancel_url: "http://app.local/plans",
      ...extra,
    });
  }

  it("creates an open session whose url serves the hosted page", async () => {
    const session = await createSession();
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.status).toBe("open");
    expect(session.payment_status).toBe("unpaid");
    expect(session.url).toBe(`${env.emulator.url}/checkout/${session.id}`);
    expect(session.amount_total).toBe(9900);
    expect(session.success_url).toBe(SUCCESS);
    const page = await fetch(session.url!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<label for="cardNumber">Card number</label>');
    expect(html).toContain(">Pay</button>");
    expect(html).toContain('href="http://app.local/plans"');
  });

  it("completes with 4242: customer, active subscription, paid first invoice, events, 303 to success_url", async () => {
    const session = await createSession();
    const res = await payOnHostedPage(session.url!, CARDS.ok, "owner@example.com");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`http://app.local/billing?checkout=success&session_id=${session.id}`);

    const done = await env.stripe.checkout.sessions.retrieve(session.id, { expand: ["line_items", "subscription"] });
    expect(done.status).toBe("complete");
    expect(done.payment_status).toBe("paid");
    expect(done.url).toBeNull();
    expect(done.customer_details?.email).toBe("owner@example.com");
    expect(done.line_items?.data.map((li) => [li.price?.id, li.quantity, li.amount_total])).toEqual([[catalog.pro.id, 1, 9900]]);
    const sub = done.subscription as Stripe.Subscription;
    expect(sub.status).toBe("active");
    expect(sub.customer).toBe(done.customer);
    expect(sub.metadata).toEqual({ workspaceId: "ws_1", planKey: "pro" });
    expect(sub.items.data[0]!.price.id).toBe(catalog.pro.id);
    const item = sub.items.data[0]!;
    expect(item.current_period_end).toBeGreaterThan(item.current_period_start);
    // The pinned API version has the period on items only.
    expect(sub).not.toHaveProperty("current_period_start");
    expect(sub).not.toHaveProperty("current_period_end");
    expect(sub.default_payment_method).toMatch(/^pm_/);

    const invoice = await env.stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(invoice.status).toBe("paid");
    expect(invoice.billing_reason).toBe("subscription_create");
    expect(invoice.amount_paid).toBe(9900);
    expect(invoice.number).toMatch(/^[A-Z0-9]{8}-0001$/);
    expect(invoice.parent?.subscription_details?.subscription).toBe(sub.id);
    for (const removed of ["subscription", "payment_intent", "charge", "paid"]) expect(invoice).not.toHaveProperty(removed);
    expect(invoice.status_transitions.paid_at).toBeTypeOf("number");
    expect(invoice.hosted_invoice_url).toBe(`${env.emulator.url}/invoices/${invoice.id}`);

    await settled(env);
    expect(env.hooks.types()).toEqual([
      "customer.created",
      "payment_method.attached",
      "customer.subscription.created",
      "invoice.created",
      "invoice.finalized",
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "invoice.paid",
      "invoice.payment_succeeded",
      "customer.subscription.updated",
      "checkout.session.completed",
    ]);
    const [completed] = env.hooks.ofType("checkout.session.completed");
    expect(completed!.data.object.client_reference_id).toBe("ws_1");
    expect(completed!.data.object.metadata).toEqual({ workspaceId: "ws_1", planKey: "pro", planVersion: "1" });
    expect(completed!.data.object.subscription).toBe(sub.id);
    const [activated] = env.hooks.ofType("customer.subscription.updated");
    expect(activated!.data.object.status).toBe("active");
    expect(activated!.data.previous_attributes).toMatchObject({ status: "incomplete" });
  });

  it("shows a decline for 4000 0000 0000 0002 and completes nothing", async () => {
    const session = await createSession();
    const res = await payOnHostedPage(session.url!, CARDS.declined);
    expect(res.status).toBe(402);
    const html = await res.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain("Your card was declined.");
    const after = await env.stripe.checkout.sessions.retrieve(session.id);
    expect(after.status).toBe("open");
    expect(after.subscription).toBeNull();
    expect((await env.stripe.customers.list()).data).toHaveLength(0);
    await settled(env);
    expect(env.hooks.received).toHaveLength(0);
  });

  it("starts a trial with trial_period_days and no charge", async () => {
    const customer = await env.stripe.customers.create({ email: "trial@example.com" });
    const session = await createSession({ customer: customer.id, subscription_data: { trial_period_days: 7, metadata: { workspaceId: "ws_1" } } });
    const res = await payOnHostedPage(session.url!, CARDS.ok);
    expect(res.status).toBe(303);
    const done = await env.stripe.checkout.sessions.retrieve(session.id, { expand: ["subscription.latest_invoice"] });
    expect(done.payment_status).toBe("no_payment_required");
    expect(done.customer).toBe(customer.id);
    const sub = done.subscription as Stripe.Subscription;
    expect(sub.status).toBe("trialing");
    expect(sub.trial_end! - sub.trial_start!).toBe(7 * 86400);
    expect(sub.items.data[0]!.current_period_end).toBe(sub.trial_end);
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect([invoice.status, invoice.amount_due, invoice.total]).toEqual(["paid", 0, 0]);
    expect((await env.stripe.customers.list()).data).toHaveLength(1);
  });

  it("ends a trial given as trial_end exactly then, not after whole days", async () => {
    const customer = await env.stripe.customers.create({ email: "trial-end@example.com" });
    const trialEnd = Math.floor(Date.now() / 1000) + 5 * 86400 + 3600 + 17;
    const session = await createSession({ customer: customer.id, subscription_data: { trial_end: trialEnd, metadata: { workspaceId: "ws_1" } } });
    expect((await payOnHostedPage(session.url!, CARDS.ok)).status).toBe(303);
    const done = await env.stripe.checkout.sessions.retrieve(session.id, { expand: ["subscription"] });
    const sub = done.subscription as Stripe.Subscription;
    expect([sub.status, sub.trial_end, sub.items.data[0]!.current_period_end]).toEqual(["trialing", trialEnd, trialEnd]);
  });

  it("lists a customer's open sessions", async () => {
    const customer = await env.stripe.customers.create({ email: "open@example.com" });
    const [a, b] = [await createSession({ customer: customer.id }), await createSession({ customer: customer.id })];
    await env.stripe.checkout.sessions.expire(a.id);
    const open = await env.stripe.checkout.sessions.list({ customer: customer.id, status: "open", expand: ["data.line_items"] });
    expect(open.data.map((s) => [s.id, s.line_items?.data[0]?.price?.id])).toEqual([[b.id, catalog.pro.id]]);
  });

  it("refuses a recurring price in payment mode and expires a session", async () => {
    const err = await env.stripe.checkout.sessions.create({ mode: "payment", line_items: [{ price: catalog.pro.id, quantity: 1 }], success_url: SUCCESS }).catch((e: unknown) => e);
    expect((err as Stripe.errors.StripeError).statusCode).toBe(400);
    expect((err as Stripe.errors.StripeError).param).toBe("line_items[0][price]");
    const session = await createSession();
    const expired = await env.stripe.checkout.sessions.expire(session.id);
    expect(expired.status).toBe("expired");
    const res = await payOnHostedPage(session.url!, CARDS.ok);
    expect(res.status).toBe(410);
  });
});

describe("checkout in payment mode", () => {
  it("completes with 4242: a succeeded payment intent with its metadata and a charge", async () => {
    const customer = await env.stripe.customers.create({ email: "buyer@example.com" });
    const session = await env.stripe.checkout.sessions.create({
      mode: "payment",
      customer: customer.id,
      line_items: [{ price: catalog.pack.id, quantity: 2 }],
      metadata: { workspaceId: "ws_1", packId: "pack_500", kind: "extras" },
      payment_intent_data: { metadata: { workspaceId: "ws_1", packId: "pack_500", kind: "extras" } },
      automatic_tax: { enabled: true },
      success_url: SUCCESS,
      cancel_url: "http://app.local/extras",
    });
    expect(session.amount_total).toBe(4000);
    await settled(env);
    env.hooks.clear();
    const res = await payOnHostedPage(session.url!, CARDS.ok);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain(`session_id=${session.id}`);
    const done = await env.stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent.latest_charge"] });
    expect([done.status, done.payment_status]).toEqual(["complete", "paid"]);
    const pi = done.payment_intent as Stripe.PaymentIntent;
    expect([pi.status, pi.amount, pi.amount_received, pi.customer]).toEqual(["succeeded", 4000, 4000, customer.id]);
    expect(pi.metadata).toEqual({ workspaceId: "ws_1", packId: "pack_500", kind: "extras" });
    const charge = pi.latest_charge as Stripe.Charge;
    expect([charge.status, charge.paid, charge.refunded, charge.amount_refunded, charge.payment_intent]).toEqual(["succeeded", true, false, 0, pi.id]);
    await settled(env);
    expect(env.hooks.types()).toEqual(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "checkout.session.completed"]);
    expect(env.hooks.ofType("checkout.session.completed")[0]!.data.object.metadata).toEqual({ workspaceId: "ws_1", packId: "pack_500", kind: "extras" });
  });

  it("declines 0002 on the page and creates no payment", async () => {
    const session = await env.stripe.checkout.sessions.create({ mode: "payment", line_items: [{ price: catalog.pack.id, quantity: 1 }], success_url: SUCCESS });
    const res = await payOnHostedPage(session.url!, CARDS.declined);
    expect(res.status).toBe(402);
    expect(await res.text()).toContain("Your card was declined.");
    expect((await env.stripe.paymentIntents.list()).data).toHaveLength(0);
    expect((await env.stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
  });
});

describe("checkout with automatic tax", () => {
  it("adds Stripe Tax's amount to the total and charges it", async () => {
    env.emulator.setTaxPercent(10);
    try {
      const customer = await env.stripe.customers.create({ email: "tax@example.com" });
      const session = await env.stripe.checkout.sessions.create({ mode: "payment", customer: customer.id, line_items: [{ price: catalog.pack.id, quantity: 1 }], automatic_tax: { enabled: true }, success_url: SUCCESS });
      expect([session.amount_subtotal, session.amount_total, session.total_details?.amount_tax]).toEqual([2000, 2200, 200]);
      const untaxed = await env.stripe.checkout.sessions.create({ mode: "payment", customer: customer.id, line_items: [{ price: catalog.pack.id, quantity: 1 }], success_url: SUCCESS });
      expect([untaxed.amount_total, untaxed.total_details?.amount_tax]).toEqual([2000, 0]);
      expect((await payOnHostedPage(session.url!, CARDS.ok)).status).toBe(303);
      const done = await env.stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
      expect((done.payment_intent as Stripe.PaymentIntent).amount_received).toBe(2200);
    } finally {
      env.emulator.setTaxPercent(0);
    }
  });
});
