import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { limitations } from "@/lib/billing";
import { billingAlerts } from "@/lib/billing-views/alerts";
import { billingOverview } from "@/lib/billing-views/overview";
import { invoiceStatusWords, listInvoices } from "@/lib/billing-views/invoices";
import { runDunning } from "@/lib/payments";
import { startPayments, subscribedOnClock, subscriptionOf, type PaymentsEnv } from "./helpers";

// Stripe leaves a renewal invoice a draft for about an hour before it finalizes and charges it: until then
// the renewal is neither paid nor failed, whatever its card will do.

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const HOUR = 3600;
const grants = (workspaceId: string) => db().extrasLot.findMany({ where: { workspaceId, source: "grant" }, orderBy: { createdAt: "asc" } });
const renewalOf = (workspaceId: string) => db().invoice.findFirstOrThrow({ where: { workspaceId, billingReason: "subscription_cycle" } });
const alertsOf = async (workspaceId: string) => billingAlerts(await billingOverview(db(), workspaceId));
const failedDeliveries = () => env.deliveries.filter((d) => d.status >= 300);

/** Makes `pmToken` the card of the customer and of its subscription, as the billing portal does. */
async function useCard(s: { customerId: string; subscriptionId: string }, pmToken: string) {
  const pm = await env.stripe.paymentMethods.attach(pmToken, { customer: s.customerId });
  await env.stripe.customers.update(s.customerId, { invoice_settings: { default_payment_method: pm.id } });
  await env.stripe.subscriptions.update(s.subscriptionId, { default_payment_method: pm.id });
}

describe("a renewal invoice left a draft", () => {
  it("starts the new period and its quotas at once, grants nothing until the invoice is paid an hour later, then grants once", async () => {
    const s = await subscribedOnClock(env, "pro", "draft-paid");
    expect(await grants(s.workspaceId)).toHaveLength(1);

    await s.advanceTo(s.periodEnd + HOUR - 60);
    const renewed = await subscriptionOf(s.workspaceId);
    expect([renewed.status, renewed.plan.key, renewed.currentPeriodStart!.getTime() / 1000, renewed.pastDueSince]).toEqual(["active", "pro", s.periodEnd, null]);
    const draft = await renewalOf(s.workspaceId);
    expect([draft.status, draft.amountPaidCents, draft.hostedUrl, draft.paymentIssue]).toEqual(["draft", 0, null, null]);
    expect(invoiceStatusWords((await listInvoices(db(), s.workspaceId)).find((i) => i.id === draft.id)!)).toBe("Draft: to be charged within the hour");
    expect(await grants(s.workspaceId)).toHaveLength(1);
    expect(await alertsOf(s.workspaceId)).toEqual([]);
    const compute = (await limitations(db(), s.workspaceId, new Date((s.periodEnd + HOUR - 60) * 1000))).entitlements.find((e) => e.feature === "compute")!;
    expect(compute.limit).toBe("10000");

    await s.advanceTo(s.periodEnd + HOUR);
    const paid = await renewalOf(s.workspaceId);
    expect([paid.id, paid.status, paid.amountPaidCents]).toEqual([draft.id, "paid", 9900]);
    expect((await grants(s.workspaceId)).map((l) => l.sourceRef)).toContain(paid.stripeInvoiceId);
    expect(await grants(s.workspaceId)).toHaveLength(2);
    expect(failedDeliveries()).toEqual([]);
  });

  it("charged to a card that will fail: not past due while it is a draft, nor after the dunning cron; past due once the charge fails", async () => {
    const s = await subscribedOnClock(env, "starter", "draft-failing");
    await useCard(s, "pm_card_chargeCustomerFail");

    await s.advanceTo(s.periodEnd + HOUR - 60);
    await runDunning(db(), { now: new Date((s.periodEnd + HOUR - 60) * 1000) });
    const waiting = await subscriptionOf(s.workspaceId);
    expect([waiting.status, waiting.pastDueSince]).toEqual(["active", null]);
    expect((await renewalOf(s.workspaceId)).status).toBe("draft");
    expect(await alertsOf(s.workspaceId)).toEqual([]);
    expect(await db().notification.count({ where: { workspaceId: s.workspaceId, kind: "payment_failed" } })).toBe(0);

    await s.advanceTo(s.periodEnd + HOUR);
    const failed = await subscriptionOf(s.workspaceId);
    expect([failed.status, failed.pastDueSince?.getTime()]).toEqual(["past_due", (s.periodEnd + HOUR) * 1000]);
    const invoice = await renewalOf(s.workspaceId);
    expect([invoice.status, invoice.paymentIssue]).toEqual(["open", "declined"]);
    expect(await alertsOf(s.workspaceId)).toEqual([expect.objectContaining({ kind: "past_due" })]);
    expect(failedDeliveries()).toEqual([]);
  });
});
