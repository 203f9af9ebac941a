import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { limitations, recordUsage } from "@/lib/billing";
import { billingAlerts } from "@/lib/billing-views/alerts";
import { billingOverview } from "@/lib/billing-views/overview";
import { HANDLED_EVENT_TYPES, upgradeNow } from "@/lib/payments";
import { postForm } from "@tally/stripe-emulator/testing";
import { CARDS, deliverThrice, eventsAbout, requestKey, startPayments, subscribedOnClock, subscriptionOf, type PaymentsEnv } from "./helpers";

// 3-D Secure and insufficient funds on renewals and upgrades, with webhooks delivered by the emulator.

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const HOUR = 3600;
const computeQuota = async (workspaceId: string) => (await limitations(db(), workspaceId)).entitlements.find((e) => e.feature === "compute")!.limit;
const alertsOf = async (workspaceId: string) => billingAlerts(await billingOverview(db(), workspaceId));
const notificationsOf = (workspaceId: string, kind: string) => db().notification.findMany({ where: { workspaceId, kind } });
const failedDeliveries = () => env.deliveries.filter((d) => d.status >= 300);

/** Makes `pmToken` the card of the customer and of its subscription, as the billing portal does. */
async function useCard(s: { customerId: string; subscriptionId: string }, pmToken: string) {
  const pm = await env.stripe.paymentMethods.attach(pmToken, { customer: s.customerId });
  await env.stripe.customers.update(s.customerId, { invoice_settings: { default_payment_method: pm.id } });
  await env.stripe.subscriptions.update(s.subscriptionId, { default_payment_method: pm.id });
}

describe("3-D Secure", () => {
  it("the new event types are handled", () => {
    expect(HANDLED_EVENT_TYPES).toEqual(expect.arrayContaining(["invoice.payment_action_required", "customer.subscription.pending_update_applied", "customer.subscription.pending_update_expired"]));
  });

  it("an upgrade whose payment needs authentication raises nothing until it is confirmed on the hosted page", async () => {
    const s = await subscribedOnClock(env, "starter", "sca-up", CARDS.authAlways);
    await recordUsage(db(), { workspaceId: s.workspaceId, feature: "compute", units: 10, idempotencyKey: "before" });
    expect(await computeQuota(s.workspaceId)).toBe("1000");

    const result = await upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "pro", interval: "month", requestKey: requestKey() });
    expect(result.state).toBe("requires_action");
    if (result.state !== "requires_action") return;
    expect(result.hostedInvoiceUrl).toMatch(/\/invoices\/in_/);
    await env.emulator.idle();

    // Pending: the plan, the quota and the grant wait for the money.
    const row = await subscriptionOf(s.workspaceId);
    expect([row.plan.key, row.status]).toEqual(["starter", "active"]);
    expect(await computeQuota(s.workspaceId)).toBe("1000");
    expect(await db().extrasLot.count({ where: { workspaceId: s.workspaceId, source: "grant" } })).toBe(0);
    const alerts = await alertsOf(s.workspaceId);
    expect(alerts).toEqual([expect.objectContaining({ kind: "payment_action_required", hostedUrl: result.hostedInvoiceUrl, upgradeTo: "Pro" })]);
    const invoice = await db().invoice.findFirstOrThrow({ where: { workspaceId: s.workspaceId, billingReason: "subscription_update" } });
    expect([invoice.status, invoice.paymentIssue, invoice.hostedUrl]).toEqual(["open", "requires_action", result.hostedInvoiceUrl]);
    expect((await notificationsOf(s.workspaceId, "payment_action_required")).map((n) => (n.data as { hostedUrl?: string } | null)?.hostedUrl)).toEqual([result.hostedInvoiceUrl]);

    // A second click on the same upgrade is the same waiting payment, not a second invoice.
    const again = await upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "pro", interval: "month", requestKey: requestKey() });
    expect(again).toEqual(expect.objectContaining({ state: "requires_action", hostedInvoiceUrl: result.hostedInvoiceUrl }));

    expect((await postForm(result.hostedInvoiceUrl, { authenticate: "complete" })).status).toBe(303);
    await env.emulator.idle();
    expect((await subscriptionOf(s.workspaceId)).plan.key).toBe("pro");
    expect(await computeQuota(s.workspaceId)).toBe("10000");
    expect(await alertsOf(s.workspaceId)).toEqual([]);
    expect((await db().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).paymentIssue).toBeNull();
    expect(await db().extrasLot.count({ where: { workspaceId: s.workspaceId, source: "grant" } })).toBe(1);

    // Delivered again (a retry, and the same change as a new event): nothing more is granted or sent.
    for (const type of ["invoice.payment_action_required", "invoice.paid", "customer.subscription.pending_update_applied"]) {
      const objectId = type.startsWith("invoice") ? invoice.stripeInvoiceId : s.subscriptionId;
      for (const e of await eventsAbout(env.stripe, type, objectId)) await deliverThrice(e);
    }
    expect(await db().extrasLot.count({ where: { workspaceId: s.workspaceId, source: "grant" } })).toBe(1);
    expect(await notificationsOf(s.workspaceId, "payment_action_required")).toHaveLength(1);
    expect((await subscriptionOf(s.workspaceId)).plan.key).toBe("pro");
    expect(failedDeliveries()).toEqual([]);
  });

  it("an abandoned upgrade shows its status and link, then is dropped unpaid: the plan never changed", async () => {
    const s = await subscribedOnClock(env, "starter", "sca-abandon", CARDS.authAlways);
    const result = await upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "pro", interval: "month", requestKey: requestKey() });
    if (result.state !== "requires_action") throw new Error("expected the upgrade to wait for authentication");
    await env.emulator.idle();
    const row = await subscriptionOf(s.workspaceId);
    expect(row.pendingUpdateExpiresAt).not.toBeNull();
    expect(await alertsOf(s.workspaceId)).toEqual([expect.objectContaining({ kind: "payment_action_required", hostedUrl: result.hostedInvoiceUrl, upgradeTo: "Pro", expiresAt: row.pendingUpdateExpiresAt })]);
    // Failing the challenge leaves it waiting (it can be tried again) and changes nothing.
    expect((await postForm(result.hostedInvoiceUrl, { authenticate: "fail" })).status).toBe(402);
    await env.emulator.idle();
    expect((await subscriptionOf(s.workspaceId)).plan.key).toBe("starter");

    await s.advanceTo(Math.floor(row.pendingUpdateExpiresAt!.getTime() / 1000) + 60);
    const after = await subscriptionOf(s.workspaceId);
    expect([after.plan.key, after.status, after.pendingUpdatePlanId]).toEqual(["starter", "active", null]);
    expect(await computeQuota(s.workspaceId)).toBe("1000");
    expect((await db().invoice.findFirstOrThrow({ where: { workspaceId: s.workspaceId, billingReason: "subscription_update" } })).status).toBe("void");
    expect(await alertsOf(s.workspaceId)).toEqual([]);
    for (const e of await eventsAbout(env.stripe, "customer.subscription.pending_update_expired", s.subscriptionId)) await deliverThrice(e);
    expect((await subscriptionOf(s.workspaceId)).plan.key).toBe("starter");
    expect(failedDeliveries()).toEqual([]);
  });

  it("a renewal whose payment needs authentication: past due with the link, told once, paid on the hosted page", async () => {
    const s = await subscribedOnClock(env, "starter", "sca-renew", CARDS.authAlways);
    await s.advanceTo(s.periodEnd + HOUR);
    const row = await subscriptionOf(s.workspaceId);
    expect(row.status).toBe("past_due");
    const invoice = await db().invoice.findFirstOrThrow({ where: { workspaceId: s.workspaceId, billingReason: "subscription_cycle" } });
    expect([invoice.status, invoice.paymentIssue]).toEqual(["open", "requires_action"]);
    // Confirming the payment is the way out, so it stands in for the plain "payment failed".
    expect(await alertsOf(s.workspaceId)).toEqual([expect.objectContaining({ kind: "payment_action_required", hostedUrl: invoice.hostedUrl, upgradeTo: null, degradedAt: expect.any(Date) })]);
    for (const e of await eventsAbout(env.stripe, "invoice.payment_action_required", invoice.stripeInvoiceId)) await deliverThrice(e);
    expect(await notificationsOf(s.workspaceId, "payment_action_required")).toHaveLength(1);

    expect((await postForm(invoice.hostedUrl!, { authenticate: "complete" })).status).toBe(303);
    await env.emulator.idle();
    const paid = await subscriptionOf(s.workspaceId);
    expect([paid.status, paid.pastDueSince]).toEqual(["active", null]);
    expect(await alertsOf(s.workspaceId)).toEqual([]);
    expect(failedDeliveries()).toEqual([]);
  });
});

describe("insufficient funds (9995)", () => {
  it("an upgrade is refused in words that say so, changes nothing, and leaves no invoice to pay", async () => {
    const s = await subscribedOnClock(env, "starter", "nsf-up");
    await useCard(s, "pm_card_visa_chargeDeclinedInsufficientFunds");
    await expect(upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "pro", interval: "month", requestKey: requestKey() })).rejects.toThrow(
      "The payment was declined (insufficient funds); nothing changed. Use another card in the billing portal and try again.",
    );
    await env.emulator.idle();
    const row = await subscriptionOf(s.workspaceId);
    expect([row.plan.key, row.pendingUpdatePlanId]).toEqual(["starter", null]);
    expect((await env.stripe.subscriptions.retrieve(s.subscriptionId)).pending_update).toBeNull();
    expect((await db().invoice.findMany({ where: { workspaceId: s.workspaceId, billingReason: "subscription_update" } })).map((i) => i.status)).toEqual(["void"]);
    expect(await alertsOf(s.workspaceId)).toEqual([]);
  });

  it("a renewal that fails says why in the past-due alert and on the invoice", async () => {
    const s = await subscribedOnClock(env, "starter", "nsf-renew");
    await useCard(s, "pm_card_visa_chargeDeclinedInsufficientFunds");
    await s.advanceTo(s.periodEnd + HOUR);
    expect((await subscriptionOf(s.workspaceId)).status).toBe("past_due");
    const invoice = await db().invoice.findFirstOrThrow({ where: { workspaceId: s.workspaceId, billingReason: "subscription_cycle" } });
    expect([invoice.paymentIssue, invoice.paymentError]).toEqual(["declined", "insufficient funds"]);
    expect(await alertsOf(s.workspaceId)).toEqual([expect.objectContaining({ kind: "past_due", reason: "insufficient funds" })]);
    for (const e of await eventsAbout(env.stripe, "invoice.payment_failed", invoice.stripeInvoiceId)) await deliverThrice(e);
    expect((await subscriptionOf(s.workspaceId)).status).toBe("past_due");
  });
});
