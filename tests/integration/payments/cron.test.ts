import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createStripeClient, setStripeClient } from "@/lib/stripe";
import { topupExtras } from "@/lib/billing";
import { endExpiredTrials, resyncSubscriptions, startTrial } from "@/lib/payments";
import { GET as resetWindows } from "@/app/api/cron/reset-windows/route";
import { GET as expireExtras } from "@/app/api/cron/expire-extras/route";
import { GET as dunning } from "@/app/api/cron/dunning/route";
import { GET as trials } from "@/app/api/cron/trials/route";
import { GET as reconcile } from "@/app/api/cron/reconcile/route";
import { GET as prune } from "@/app/api/cron/prune/route";
import { newWorkspace, startPayments, subscriptionOf, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments();
});
afterAll(async () => {
  await env?.stop();
});

const DAY = 86_400_000;
const routes = { "reset-windows": resetWindows, "expire-extras": expireExtras, dunning, trials, reconcile, prune } as const;
const call = (route: keyof typeof routes, auth?: string | null) =>
  routes[route](new Request(`http://app.local/api/cron/${route}`, { headers: auth === null ? {} : { authorization: auth ?? `Bearer ${process.env.CRON_SECRET}` } }));

describe("cron routes", () => {
  it.each(Object.keys(routes) as (keyof typeof routes)[])("%s: 401 without or with a wrong token, refused without CRON_SECRET", async (route) => {
    expect((await call(route, null)).status).toBe(401);
    expect((await call(route, "Bearer wrong-token-0123456789abcdef")).status).toBe(401);
    expect((await call(route, `Basic ${process.env.CRON_SECRET}`)).status).toBe(401);
    const secret = process.env.CRON_SECRET;
    delete process.env.CRON_SECRET;
    try {
      const res = await call(route, `Bearer ${secret}`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: "cron_disabled" } });
    } finally {
      process.env.CRON_SECRET = secret;
    }
  });

  it("each route gives the same result run twice at once and run again, and answers a JSON summary", async () => {
    // Work for every job: an expired lot, an expired trial, a workspace 8 days into dunning, an old webhook record.
    const lotWs = await newWorkspace("cron-lot");
    await topupExtras(db(), { workspaceId: lotWs.workspaceId, pack: "compute_500", paymentIntentId: `pi_cron_${lotWs.workspaceId}`, expiresAt: new Date(Date.now() - DAY) });
    const trialWs = await newWorkspace("cron-trial");
    await startTrial(db(), { workspaceId: trialWs.workspaceId, planKey: "pro", userId: trialWs.userId, now: new Date(Date.now() - 8 * DAY) });
    const dunWs = await newWorkspace("cron-dun");
    await db().subscription.update({ where: { workspaceId: dunWs.workspaceId }, data: { status: "past_due", pastDueSince: new Date(Date.now() - 8 * DAY) } });
    await db().stripeEvent.create({ data: { id: `evt_old_${dunWs.workspaceId}`, type: "invoice.created", status: "processed", payload: {}, receivedAt: new Date(Date.now() - 31 * DAY) } });
    await db().stripeEvent.create({ data: { id: `evt_new_${dunWs.workspaceId}`, type: "invoice.created", status: "processed", payload: {}, receivedAt: new Date() } });
    // A failed event is kept however old, until it is processed: an operator must be able to see and replay it.
    const failedId = `evt_oldfail_${dunWs.workspaceId}`;
    await db().stripeEvent.create({
      data: { id: failedId, type: "invoice.paid", status: "failed", lastError: "boom", payload: { id: failedId, object: "event", type: "invoice.paid", data: { object: { id: "in_missing_cron" } } }, receivedAt: new Date(Date.now() - 31 * DAY) },
    });

    const state = async () => ({
      expirations: await db().ledgerEntry.count({ where: { workspaceId: lotWs.workspaceId, kind: "expiration" } }),
      lotBalance: (await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId: lotWs.workspaceId } })).balance.toString(),
      trial: [(await subscriptionOf(trialWs.workspaceId)).status, (await subscriptionOf(trialWs.workspaceId)).plan.key],
      dunning: (await subscriptionOf(dunWs.workspaceId)).status,
      oldEvent: await db().stripeEvent.count({ where: { id: `evt_old_${dunWs.workspaceId}` } }),
      newEvent: await db().stripeEvent.count({ where: { id: `evt_new_${dunWs.workspaceId}` } }),
      oldFailedEvent: await db().stripeEvent.count({ where: { id: failedId } }),
    });

    for (const route of Object.keys(routes) as (keyof typeof routes)[]) {
      const [a, b] = await Promise.all([call(route), call(route)]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const bodies = [await a.json(), await b.json()] as { route: string; skipped: boolean }[];
      for (const body of bodies) expect(body).toMatchObject({ route });
      expect(bodies.some((x) => !x.skipped)).toBe(true);
      const once = await state();
      const again = await call(route);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ route, skipped: false });
      expect(await state()).toEqual(once);
    }
    expect(await state()).toEqual({ expirations: 1, lotBalance: "0", trial: ["free", "free"], dunning: "degraded", oldEvent: 0, newEvent: 1, oldFailedEvent: 1 });
    const runs = await db().cronRun.findMany({ where: { route: "expire-extras", finishedAt: { not: null } }, orderBy: { startedAt: "desc" }, take: 1 });
    expect(runs[0]?.summary).toMatchObject({ route: "expire-extras", skipped: false });
  });

  it("trials: every trial ending within 3 days is told in one run, however many batches that takes", async () => {
    const soon: string[] = [];
    for (const name of ["cron-soon-a", "cron-soon-b", "cron-soon-c"]) {
      const ws = await newWorkspace(name);
      await startTrial(db(), { workspaceId: ws.workspaceId, planKey: "pro", userId: ws.userId, now: new Date(Date.now() - 5 * DAY) });
      soon.push(ws.workspaceId);
    }
    await endExpiredTrials(db(), { now: new Date(), batchSize: 1 });
    const told = await db().notification.groupBy({ by: ["workspaceId"], where: { workspaceId: { in: soon }, kind: "trial_will_end" }, _count: { _all: true } });
    expect(told.map((t) => [t.workspaceId, t._count._all]).sort()).toEqual(soon.map((id) => [id, 1]).sort());
  });

  it("reset-windows goes on past a subscription Stripe cannot answer for, counts it and tells operators once", async () => {
    const gone = await newWorkspace("cron-gone");
    const subscriptionId = `sub_gone_${gone.workspaceId}`;
    await db().subscription.update({
      where: { workspaceId: gone.workspaceId },
      data: { status: "active", stripeSubscriptionId: subscriptionId, currentPeriodEnd: new Date(Date.now() - DAY) },
    });
    const alerts = () => db().operatorAlert.findMany({ where: { subjectId: subscriptionId }, select: { kind: true, workspaceId: true, message: true } });
    try {
      const res = await call("reset-windows");
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ route: "reset-windows", skipped: false, failed: 1 });
      expect(await alerts()).toEqual([{ kind: "subscription_sync_failed", workspaceId: gone.workspaceId, message: expect.stringContaining(`Stripe subscription ${subscriptionId} could not be read again`) }]);
      // Failing again while the alert is open adds nothing.
      expect(await (await call("reset-windows")).json()).toMatchObject({ failed: 1 });
      expect(await alerts()).toHaveLength(1);
      // Nor on a later day while it is open; once an operator dealt with it, a later failure tells them again.
      const later = (days: number) => resyncSubscriptions(db(), { now: new Date(Date.now() + days * DAY), endedBy: new Date() });
      await later(2);
      expect(await alerts()).toHaveLength(1);
      await db().operatorAlert.updateMany({ where: { subjectId: subscriptionId }, data: { resolvedAt: new Date() } });
      await later(3);
      expect(await alerts()).toHaveLength(2);
      // Stripe out of reach says nothing of the subscription: counted, tried again next run, no alert.
      await db().operatorAlert.updateMany({ where: { subjectId: subscriptionId }, data: { resolvedAt: new Date() } });
      setStripeClient(createStripeClient({ secretKey: "sk_test_emulator", apiBase: "http://127.0.0.1:9" }));
      try {
        expect((await later(4)).failed).toBeGreaterThanOrEqual(1);
      } finally {
        setStripeClient(env.stripe);
      }
      expect(await alerts()).toHaveLength(2);
    } finally {
      await db().subscription.update({ where: { workspaceId: gone.workspaceId }, data: { stripeSubscriptionId: null } });
    }
  });
});
