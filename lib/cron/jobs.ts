import { deliverPendingNotifications, expireLots, recordInvariantRun, settleEndedOverrides, sweepAutoTopUps } from "@/lib/billing";
import {
  createStripePaymentsPort, endExpiredTrials, recoverMissedEvents, repairStripeCatalog, resyncSubscriptions, retryFailedEvents, runDunning,
} from "@/lib/payments";
import { pruneWebhookEvents, runDeliveries } from "@/lib/webhooks/deliver";
import type { Client } from "@/lib/db";
import type { CronContext } from "./with-cron";

const PRUNE_AFTER_DAYS = 30;

/**
 * Windows roll over by themselves (the first event after a window's end opens the next). This tidies up:
 * a subscription whose period ended without a renewal webhook is re-synced (which resets its windows), and
 * threshold notifications the request path left pending are sent.
 */
export async function resetWindowsJob({ db, now, deadline, resumeAfter }: CronContext) {
  const { synced: resynced, failed, cursor } = await resyncSubscriptions(db, { now, deadline, endedBy: now, resumeAfter });
  const notifications = await deliverPendingNotifications(db, { now, limit: 200 });
  return { resynced, failed, notifications, cursor };
}

/** One expiration entry per lot past its expiry, in batches. */
export async function expireExtrasJob({ db, now, runId, deadline }: CronContext) {
  let lotsExpired = 0;
  let batches = 0;
  let more = true;
  while (more && Date.now() <= deadline) {
    const r = await expireLots(db, { now, limit: 500, cronRunId: runId });
    lotsExpired += r.lotsExpired;
    more = r.more;
    batches++;
  }
  return { lotsExpired, batches, more };
}

export async function dunningJob({ db, now, deadline, resumeAfter }: CronContext) {
  return { ...(await runDunning(db, { now, deadline, resumeAfter })) };
}

export async function trialsJob({ db, now, deadline }: CronContext) {
  return endExpiredTrials(db, { now, deadline });
}

/** Repairs the Stripe catalog, re-syncs subscriptions, retries failed webhook events, recovers events never received, settles ended overrides, and checks the books. */
export async function reconcileJob({ db, now, deadline, resumeAfter }: CronContext) {
  const catalog = await repairStripeCatalog(db);
  const failedEvents = await retryFailedEvents(db, { now, deadline });
  const missedEvents = await recoverMissedEvents(db, { now, deadline });
  const subscriptions = await resyncSubscriptions(db, { now, deadline, resumeAfter });
  const autoTopUps = await sweepAutoTopUps(db, { port: createStripePaymentsPort(() => db), now, deadline });
  const overrides = await settleEndedOverrides(db, { now });
  // Logs each violation with its severity and stores it for operators (resolving those no longer found).
  const { critical, warning, opened, resolved } = await recordInvariantRun(db, { now });
  // The re-sync's cursor, where the next run takes up the subscriptions (see CronContext.resumeAfter).
  return { catalog, failedEvents, missedEvents, subscriptions, autoTopUps, overrides, invariantViolations: { critical, warning, opened, resolved }, cursor: subscriptions.cursor };
}

/** Webhook event records older than 30 days (Stripe no longer redelivers them), and old cron runs, in batches. */
export async function pruneJob({ db, now, deadline }: CronContext) {
  const before = new Date(now.getTime() - PRUNE_AFTER_DAYS * 86_400_000);
  const events = await pruneStripeEvents(db, before, deadline);
  const webhookEvents = await pruneWebhookEvents(db, before, deadline);
  const cronRuns = (await db.cronRun.deleteMany({ where: { startedAt: { lt: before } } })).count;
  return { prunedEvents: events, prunedWebhookEvents: webhookEvents, prunedCronRuns: cronRuns };
}

/**
 * Stripe event records received before `before`, in batches of 1,000, until none is left or the deadline.
 * Failed events are kept until they are processed (a replay or the reconcile cron's retry): they are what an
 * operator must see. One status at a time, so each batch is a range of the (status, receivedAt) index that
 * reads the rows it deletes, never the failed ones kept nor the recent ones.
 */
export async function pruneStripeEvents(db: Client, before: Date, deadline: number): Promise<number> {
  let pruned = 0;
  for (const status of ["processed", "received"] as const) {
    for (;;) {
      const batch = await db.stripeEvent.findMany({ where: { status, receivedAt: { lt: before } }, select: { id: true }, take: 1000, orderBy: { receivedAt: "asc" } });
      if (!batch.length) break;
      pruned += (await db.stripeEvent.deleteMany({ where: { id: { in: batch.map((e) => e.id) } } })).count;
      if (Date.now() > deadline) return pruned;
    }
  }
  return pruned;
}

/** Outgoing webhooks due now (new, retries, resends): the backstop of the in-process sender, and its only driver on serverless hosts. */
export async function webhooksJob({ db, deadline }: CronContext) {
  return { ...(await runDeliveries(db, { deadline: Math.min(deadline, Date.now() + 50_000) })) };
}
