import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceTestClock } from "@tally/stripe-emulator/testing";
import { db } from "@/lib/db";
import { configureAutoTopUp, maybeAutoTopUp, recordUsage } from "@/lib/billing";
import { createStripePaymentsPort, refundExtrasPurchase, runDunning, startPackCheckout, startPlanCheckout } from "@/lib/payments";
import { eventsOf, newWorkspace, pay, requestKey, startPayments, subscriptionOf, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const HOUR = 3600;
const DAY = 86_400;
const balanceOf = async (workspaceId: string) => (await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId } })).balance.toString();

async function boughtPack(label: string) {
  const ws = await newWorkspace(label);
  const { url, sessionId } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
  await pay(url);
  await env.emulator.idle();
  const lot = await db().extrasLot.findUniqueOrThrow({ where: { checkoutSessionId: sessionId } });
  return { ...ws, lot };
}

describe("refunds", () => {
  it("each refund request is one refund: the same request id twice is one, two requests of the same amount are two; charge.refunded delivered twice claws back once", async () => {
    const { workspaceId, lot } = await boughtPack("refund");
    const refund = (refundRequestId: string, amountCents?: number) => refundExtrasPurchase(db(), { workspaceId, lotId: lot.id, amountCents, refundRequestId });
    const idA = requestKey();
    const first = await refund(idA, 500);
    // A double submit carries the same request id: Stripe answers with the first refund.
    expect(await refund(idA, 500)).toMatchObject({ refundId: first.refundId, clawedUnits: "125" });
    expect((await env.stripe.refunds.list({ payment_intent: lot.paymentIntentId! })).data).toHaveLength(1);
    // A second, deliberate refund of the same amount within the day is a second refund.
    const second = await refund(requestKey(), 500);
    expect(second.refundId).not.toBe(first.refundId);
    expect((await env.stripe.refunds.list({ payment_intent: lot.paymentIntentId! })).data).toHaveLength(2);
    await env.emulator.idle();
    expect(await balanceOf(workspaceId)).toBe("250");

    const idC = requestKey();
    const rest = await refund(idC);
    expect(rest.amountCents).toBe(1000);
    // Resubmitted after it used up the rest: still its first answer, not an error, not a new refund.
    expect(await refund(idC)).toMatchObject({ refundId: rest.refundId, amountCents: 1000 });
    await expect(refund(idC, 700)).rejects.toMatchObject({ code: "idempotency_conflict" });
    await env.emulator.idle();
    for (const e of await eventsOf(env.stripe, "charge.refunded")) env.emulator.redeliver(e.id);
    await env.emulator.idle();

    const refunds = await db().ledgerEntry.findMany({ where: { workspaceId, kind: "refund" }, orderBy: { seq: "asc" } });
    expect(refunds.map((e) => e.units.toString())).toEqual(["-125", "-125", "-250"]);
    expect(await balanceOf(workspaceId)).toBe("0");
    expect((await db().extrasLot.findUniqueOrThrow({ where: { id: lot.id } })).refundedCents).toBe(2000);
    await expect(refund(requestKey())).rejects.toMatchObject({ code: "invalid_request", message: "This purchase is already fully refunded." });
    await expect(refund("bad id!")).rejects.toMatchObject({ code: "invalid_request" });
    expect((await env.stripe.refunds.list({ payment_intent: lot.paymentIntentId! })).data).toHaveLength(3);
  });

  it("another workspace cannot refund the purchase", async () => {
    const { lot } = await boughtPack("mine");
    const other = await newWorkspace("thief");
    await expect(refundExtrasPurchase(db(), { workspaceId: other.workspaceId, lotId: lot.id, refundRequestId: requestKey() })).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("auto top-up through the Stripe payments port", () => {
  it("buys the pack off-session with the card saved at checkout, once per month slot", async () => {
    const { workspaceId } = await boughtPack("auto");
    await configureAutoTopUp(db(), { workspaceId, enabled: true, threshold: "1000", pack: "compute_500", monthlyCap: 1 });
    const port = createStripePaymentsPort();
    // A debit leaves the balance under the threshold (1 unit past the Free quota; no port on this instance).
    await recordUsage(db(), { workspaceId, feature: "compute", units: 101, idempotencyKey: "crossing" }, { waitForSideEffects: true });
    const first = await maybeAutoTopUp(db(), { workspaceId, port });
    expect(first).toMatchObject({ started: true, status: "succeeded" });
    expect(await maybeAutoTopUp(db(), { workspaceId, port })).toMatchObject({ started: false });
    await env.emulator.idle();
    const lots = await db().extrasLot.findMany({ where: { workspaceId, source: "topup" }, orderBy: { createdAt: "asc" } });
    expect(lots.map((l) => [l.checkoutSessionId !== null, l.paymentIntentId !== null, l.units.toString()])).toEqual([[true, true, "500"], [false, true, "500"]]);
    expect(await balanceOf(workspaceId)).toBe("999");
    const customer = (await db().workspace.findUniqueOrThrow({ where: { id: workspaceId } })).stripeCustomerId!;
    expect((await env.stripe.paymentIntents.list({ customer })).data.filter((pi) => pi.metadata.autoTopUpAttemptId)).toHaveLength(1);
  });
});

describe("dunning on the test clock", () => {
  async function failingSubscription(label: string) {
    const ws = await newWorkspace(label);
    const start = Math.floor(Date.now() / 1000);
    const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await env.stripe.customers.create({ name: label, metadata: { workspaceId: ws.workspaceId }, test_clock: clock.id });
    await db().workspace.update({ where: { id: ws.workspaceId }, data: { stripeCustomerId: customer.id } });
    const { url } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month", requestKey: requestKey() });
    await pay(url);
    await env.emulator.idle();
    const row = await subscriptionOf(ws.workspaceId);
    // The card on file starts failing: renewals will be declined.
    const failing = await env.stripe.paymentMethods.attach("pm_card_chargeCustomerFail", { customer: customer.id });
    await env.stripe.subscriptions.update(row.stripeSubscriptionId!, { default_payment_method: failing.id });
    const renewal = Math.floor(row.currentPeriodEnd!.getTime() / 1000);
    const advanceTo = async (t: number) => {
      await advanceTestClock(env.stripe, clock.id, t);
      await env.emulator.idle();
    };
    return { ...ws, customerId: customer.id, subscriptionId: row.stripeSubscriptionId!, renewal, advanceTo };
  }

  async function payOpenInvoice(customerId: string, subscriptionId: string) {
    const good = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: customerId });
    await env.stripe.subscriptions.update(subscriptionId, { default_payment_method: good.id });
    const open = (await env.stripe.invoices.list({ customer: customerId, status: "open" })).data;
    for (const inv of open) await env.stripe.invoices.pay(inv.id!, { payment_method: good.id });
    await env.emulator.idle();
  }

  it("failure: past_due; 7 days on: degraded (purchases refused, quota usable); 14 days on: unpaid and Free; a paid invoice clears it", async () => {
    const s = await failingSubscription("dun");
    await s.advanceTo(s.renewal + HOUR);
    let row = await subscriptionOf(s.workspaceId);
    // The renewal's invoice is charged, and fails, an hour after the period ends (a draft until then).
    expect([row.status, row.plan.key, row.pastDueSince?.getTime()]).toEqual(["past_due", "starter", (s.renewal + HOUR) * 1000]);

    const at = (days: number) => new Date((s.renewal + days * DAY + HOUR) * 1000);
    await runDunning(db(), { now: at(6) });
    expect((await subscriptionOf(s.workspaceId)).status).toBe("past_due");

    await s.advanceTo(s.renewal + 7 * DAY + 2 * HOUR);
    const first = await runDunning(db(), { now: at(7) });
    expect(first.degraded).toBe(1);
    await runDunning(db(), { now: at(7) });
    row = await subscriptionOf(s.workspaceId);
    expect([row.status, row.plan.key]).toEqual(["degraded", "starter"]);
    await expect(startPackCheckout(db(), { workspaceId: s.workspaceId, slug: s.slug, pack: "compute_500", requestKey: requestKey() })).rejects.toMatchObject({
      code: "purchases_blocked",
      message: expect.stringMatching(/failing for more than 7 days/),
    });
    const used = await recordUsage(db(), { workspaceId: s.workspaceId, feature: "compute", units: 5, idempotencyKey: "during-dunning" });
    expect(used.allowed).toBe(true);

    await runDunning(db(), { now: at(14) });
    row = await subscriptionOf(s.workspaceId);
    expect([row.status, row.plan.key]).toEqual(["unpaid", "free"]);

    await payOpenInvoice(s.customerId, s.subscriptionId);
    row = await subscriptionOf(s.workspaceId);
    expect([row.status, row.plan.key, row.pastDueSince]).toEqual(["active", "starter", null]);
  });

  it("a paid invoice while past_due clears it before anything escalates", async () => {
    const s = await failingSubscription("clear");
    await s.advanceTo(s.renewal + HOUR);
    expect((await subscriptionOf(s.workspaceId)).status).toBe("past_due");
    await payOpenInvoice(s.customerId, s.subscriptionId);
    await runDunning(db(), { now: new Date((s.renewal + 20 * DAY) * 1000) });
    const row = await subscriptionOf(s.workspaceId);
    expect([row.status, row.plan.key, row.pastDueSince]).toEqual(["active", "starter", null]);
  });
});
