import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceTestClock } from "@tally/stripe-emulator/testing";
import { db } from "@/lib/db";
import { limitations, recordUsage } from "@/lib/billing";
import { cancelScheduledChange, scheduleDowngrade, startPlanCheckout, startTrial, upgradeNow } from "@/lib/payments";
import { eventsOf, newWorkspace, pay, requestKey, startPayments, subscriptionOf, type PaymentsEnv , subscribedOnClock } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const HOUR = 3600;
const DAY = 86_400;

const computeLimit = async (workspaceId: string, at?: Date) => (await limitations(db(), workspaceId, at)).entitlements.find((e) => e.feature === "compute")!.limit;
const grants = (workspaceId: string) => db().extrasLot.findMany({ where: { workspaceId, source: "grant" }, orderBy: { createdAt: "asc" } });
const failedDeliveries = () => env.deliveries.filter((d) => d.status >= 300);

describe("subscription lifecycle through delivered webhooks", () => {
  it("grants the plan's extras once per paid invoice (start, renewal, upgrade), even when invoice.paid arrives twice", async () => {
    const s = await subscribedOnClock(env, "pro", "grant");
    expect((await grants(s.workspaceId)).map((l) => l.units.toString())).toEqual(["500"]);

    await s.advanceTo(s.periodEnd + HOUR);
    expect((await grants(s.workspaceId)).map((l) => l.units.toString())).toEqual(["500", "500"]);

    await upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "max", interval: "month" });
    await env.emulator.idle();
    const lots = await grants(s.workspaceId);
    expect(lots.map((l) => l.units.toString())).toEqual(["500", "500", "5000"]);

    // Stripe sends both invoice.paid and invoice.payment_succeeded; send every one of them again.
    const paid = [...(await eventsOf(env.stripe, "invoice.paid")), ...(await eventsOf(env.stripe, "invoice.payment_succeeded"))];
    for (const e of paid) env.emulator.redeliver(e.id);
    await env.emulator.idle();
    expect(await grants(s.workspaceId)).toHaveLength(3);
    const invoices = await db().invoice.findMany({ where: { workspaceId: s.workspaceId, status: "paid" } });
    expect(new Set(lots.map((l) => l.sourceRef))).toEqual(new Set(invoices.filter((i) => i.amountPaidCents > 0).map((i) => i.stripeInvoiceId)));
    expect(failedDeliveries()).toEqual([]);
  });

  it("an upgrade raises the current window's quota at once", async () => {
    const s = await subscribedOnClock(env, "starter", "up");
    await recordUsage(db(), { workspaceId: s.workspaceId, feature: "compute", units: 10, idempotencyKey: "u1" });
    const before = await db().usageWindow.findFirstOrThrow({ where: { workspaceId: s.workspaceId, feature: "compute" }, orderBy: { periodStart: "desc" } });
    expect(before.quota?.toString()).toBe("1000");
    await upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "pro", interval: "month" });
    const after = await db().usageWindow.findUniqueOrThrow({ where: { id: before.id } });
    expect([after.quota?.toString(), after.used.toString()]).toEqual(["10000", "10"]);
    expect((await subscriptionOf(s.workspaceId)).plan.key).toBe("pro");
    const r = await recordUsage(db(), { workspaceId: s.workspaceId, feature: "compute", units: 2000, idempotencyKey: "u2" });
    expect(r.allowed).toBe(true);
  });

  it("a downgrade waits for renewal, can be cancelled before it, and applies at renewal when kept", async () => {
    const s = await subscribedOnClock(env, "pro", "down");
    await scheduleDowngrade(db(), { workspaceId: s.workspaceId, planKey: "starter", interval: "month" });
    let row = await subscriptionOf(s.workspaceId);
    expect([row.plan.key, row.pendingPlanId !== null, row.pendingChangeAt?.getTime()]).toEqual(["pro", true, s.periodEnd * 1000]);
    expect(await computeLimit(s.workspaceId)).toBe("10000");

    await s.advanceTo(s.now() + 10 * DAY);
    row = await subscriptionOf(s.workspaceId);
    expect(row.plan.key).toBe("pro");
    await cancelScheduledChange(db(), { workspaceId: s.workspaceId });
    row = await subscriptionOf(s.workspaceId);
    expect([row.plan.key, row.pendingPlanId, row.stripeScheduleId]).toEqual(["pro", null, null]);

    await scheduleDowngrade(db(), { workspaceId: s.workspaceId, planKey: "starter", interval: "month" });
    await s.advanceTo(s.periodEnd + HOUR);
    row = await subscriptionOf(s.workspaceId);
    expect([row.plan.key, row.status, row.pendingPlanId]).toEqual(["starter", "active", null]);
    expect(row.currentPeriodStart?.getTime()).toBe(s.periodEnd * 1000);
    expect(await computeLimit(s.workspaceId, new Date((s.periodEnd + 2 * HOUR) * 1000))).toBe("1000");
    expect(failedDeliveries()).toEqual([]);
  });

  it("a deleted subscription moves the workspace to Free", async () => {
    const s = await subscribedOnClock(env, "starter", "gone");
    await env.stripe.subscriptions.cancel(s.subscriptionId);
    await env.emulator.idle();
    const row = await subscriptionOf(s.workspaceId);
    expect([row.plan.key, row.status, row.currentPeriodEnd]).toEqual(["free", "free", null]);
    expect(await computeLimit(s.workspaceId)).toBe("100");
  });
});

describe("a checkout during a local trial", () => {
  it("carries the trial over without a new quota; the windows reset when the paid period begins", async () => {
    const ws = await newWorkspace("trial");
    // Monday 01:00 UTC after today: the first hours stay inside one ISO week (compute's window during the trial).
    const today = new Date();
    const monday = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + ((8 - today.getUTCDay()) % 7 || 7), 1);
    const T0 = monday / 1000;
    const at = (s: number) => new Date(s * 1000);
    const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const customer = await env.stripe.customers.create({ name: "trial", metadata: { workspaceId: ws.workspaceId }, test_clock: clock.id });
    await db().workspace.update({ where: { id: ws.workspaceId }, data: { stripeCustomerId: customer.id } });
    const advanceTo = async (t: number) => {
      await advanceTestClock(env.stripe, clock.id, t);
      await env.emulator.idle();
    };
    const used = async (t: number) => (await limitations(db(), ws.workspaceId, at(t))).entitlements.find((e) => e.feature === "compute")!.used;

    const { trialEndsAt } = await startTrial(db(), { workspaceId: ws.workspaceId, planKey: "pro", userId: ws.userId, now: at(T0) });
    const trialEnd = Math.floor(trialEndsAt.getTime() / 1000);
    await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", units: 300, idempotencyKey: "in-trial", now: at(T0 + 600) });

    await advanceTo(T0 + HOUR);
    const { url } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "pro", interval: "month", requestKey: requestKey(), now: at(T0 + HOUR) });
    await pay(url);
    await env.emulator.idle();
    let row = await subscriptionOf(ws.workspaceId);
    expect([row.plan.key, row.status, row.stripeSubscriptionId !== null, row.currentPeriodEnd?.getTime()]).toEqual(["pro", "trialing", true, trialEnd * 1000]);
    // The trial goes on: what was used in it still counts.
    expect(await used(T0 + 2 * HOUR)).toBe("300");

    // Late in the trial (another week's window), then the trial ends at Stripe and the first paid period starts.
    await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", units: 200, idempotencyKey: "late-trial", now: at(trialEnd - HOUR / 2) });
    expect(await used(trialEnd - HOUR / 4)).toBe("200");
    await advanceTo(trialEnd + 2 * HOUR);
    row = await subscriptionOf(ws.workspaceId);
    expect([row.status, row.currentPeriodStart?.getTime()]).toEqual(["active", trialEnd * 1000]);
    expect(await used(trialEnd + 3 * HOUR)).toBe("0");
    const before = await db().usageWindow.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, feature: "compute", periodStart: { lte: at(trialEnd - HOUR / 2) } }, orderBy: { periodStart: "desc" } });
    expect([before.used.toString(), before.periodEnd.getTime()]).toEqual(["200", trialEnd * 1000]);
    expect(failedDeliveries()).toEqual([]);
  });
});
