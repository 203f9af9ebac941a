import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { CARDS, postForm, emulatorPerFile, type Catalog, type TestEnv } from "../src/testing";

let env: TestEnv;
let catalog: Catalog;
const T0 = Date.UTC(2026, 2, 1) / 1000;

emulatorPerFile((e, c) => {
  env = e;
  catalog = c;
});

async function portalFor(price: Stripe.Price) {
  const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await env.stripe.customers.create({ email: "portal@example.com", test_clock: clock.id });
  const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
  const sub = await env.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: pm.id });
  const session = await env.stripe.billingPortal.sessions.create({ customer: customer.id, return_url: "http://app.local/billing" });
  return { clock, customer, sub, session };
}

describe("billing portal page", () => {
  it("shows the plan, the options, the card and the way back", async () => {
    const { session } = await portalFor(catalog.starter);
    expect(session.object).toBe("billing_portal.session");
    expect(session.url).toBe(`${env.emulator.url}/portal/${session.id}`);
    const html = await (await fetch(session.url)).text();
    expect(html).toContain('id="current-plan">Starter ($9.99/month)');
    expect(html).toContain("Switch to Pro ($99.00/month)");
    expect(html).toContain("Switch to Pro ($990.00/year)");
    expect(html).toContain("visa •••• 4242");
    expect(html).toContain('<a id="return-link" href="http://app.local/billing">');
    expect(html).toContain(">Cancel plan</button>");
  });

  it("upgrades now with a prorated, paid invoice", async () => {
    const { session, sub } = await portalFor(catalog.starter);
    const res = await postForm(session.url, { action: "switch", subscription: sub.id, price: catalog.pro.id });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(new RegExp(`^/portal/${session.id}\\?notice=`));
    const after = await env.stripe.subscriptions.retrieve(sub.id, { expand: ["latest_invoice"] });
    expect(after.items.data[0]!.price.id).toBe(catalog.pro.id);
    const invoice = after.latest_invoice as Stripe.Invoice;
    expect([invoice.billing_reason, invoice.status, invoice.amount_paid]).toEqual(["subscription_update", "paid", 9900 - 999]);
  });

  it("schedules a downgrade for the period end, shows it, and cancels it", async () => {
    const { session, sub } = await portalFor(catalog.pro);
    await postForm(session.url, { action: "switch", subscription: sub.id, price: catalog.starter.id });
    const after = await env.stripe.subscriptions.retrieve(sub.id, { expand: ["schedule"] });
    expect(after.items.data[0]!.price.id).toBe(catalog.pro.id);
    const schedule = after.schedule as Stripe.SubscriptionSchedule;
    expect(schedule.phases.map((p) => [p.items[0]!.price, p.start_date])).toEqual([
      [catalog.pro.id, T0],
      [catalog.starter.id, sub.items.data[0]!.current_period_end],
    ]);
    const html = await (await fetch(session.url)).text();
    expect(html).toContain("Changes to Starter ($9.99/month) on 2026-04-01.");
    await postForm(session.url, { action: "release", subscription: sub.id });
    expect((await env.stripe.subscriptions.retrieve(sub.id)).schedule).toBeNull();
    expect((await env.stripe.subscriptionSchedules.retrieve(schedule.id)).status).toBe("released");
  });

  it("cancels at period end and renews again", async () => {
    const { session, sub } = await portalFor(catalog.pro);
    await postForm(session.url, { action: "cancel", subscription: sub.id });
    expect((await env.stripe.subscriptions.retrieve(sub.id)).cancel_at_period_end).toBe(true);
    expect(await (await fetch(session.url)).text()).toContain("Cancels on 2026-04-01.");
    await postForm(session.url, { action: "renew", subscription: sub.id });
    expect((await env.stripe.subscriptions.retrieve(sub.id)).cancel_at_period_end).toBe(false);
  });

  it("replaces the card (0341 attaches), refuses 0002 with a visible error", async () => {
    const { session, sub, customer } = await portalFor(catalog.pro);
    const declined = await postForm(session.url, { action: "update_card", cardNumber: CARDS.declined, cardExpiry: "12/34", cardCvc: "123" });
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain("Your card was declined.");
    const ok = await postForm(session.url, { action: "update_card", cardNumber: CARDS.failsLater, cardExpiry: "12/34", cardCvc: "123" });
    expect(ok.status).toBe(303);
    const c = await env.stripe.customers.retrieve(customer.id);
    const pmId = (c as Stripe.Customer).invoice_settings.default_payment_method as string;
    expect((await env.stripe.paymentMethods.retrieve(pmId)).card?.last4).toBe("0341");
    expect((await env.stripe.subscriptions.retrieve(sub.id)).default_payment_method).toBe(pmId);
  });
});
