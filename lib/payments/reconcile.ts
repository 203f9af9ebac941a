import type { PrismaClient } from "@/lib/generated/prisma/client";
import { isAppError, messageOf } from "@/lib/errors";
import { isStripeError, stripe, syncStripeCatalog, type Stripe } from "@/lib/stripe";
import { processStripeEvent } from "./events";
import { alertOperators } from "./notices";
import { syncSubscription } from "./subscription-sync";
import { sweep } from "./sweep";

interface Batch {
  batchSize?: number;
  /** Stop starting new batches after this time (ms since epoch); the summary then carries a cursor. */
  deadline?: number;
  now?: Date;
}

// What can still renew: a subscription past its period's end in one of these has a renewal not mirrored yet.
const RENEWING = ["active", "trialing", "past_due", "degraded"] as const;

/**
 * Re-syncs every workspace that has a Stripe subscription (catches anything webhooks missed), or with `endedBy`
 * only those still renewing whose period ended by then. Batched by workspace id; one that Stripe cannot answer
 * for is logged and counted, and the rest go on.
 */
export async function resyncSubscriptions(db: PrismaClient, input: Batch & { endedBy?: Date; resumeAfter?: string | null } = {}): Promise<{ synced: number; failed: number; cursor: string | null }> {
  const ended = input.endedBy ? { status: { in: [...RENEWING] }, currentPeriodEnd: { lte: input.endedBy } } : {};
  let synced = 0;
  let failed = 0;
  const batches = sweep(
    (range) =>
      db.subscription.findMany({
        where: { stripeSubscriptionId: { not: null }, ...ended, workspaceId: range },
        orderBy: { workspaceId: "asc" },
        take: input.batchSize ?? 100,
        select: { workspaceId: true, stripeSubscriptionId: true },
      }),
    input.resumeAfter,
  );
  for await (const rows of batches) {
    for (const r of rows) {
      try {
        await syncSubscription(db, { subscriptionId: r.stripeSubscriptionId!, workspaceId: r.workspaceId, now: input.now });
        synced++;
      } catch (e) {
        failed++;
        console.error(`[payments] resync of ${r.workspaceId} failed: ${messageOf(e)}`);
        // Telling operators must not stop the run either (the database may be what failed).
        await alertIfStuck(db, { workspaceId: r.workspaceId, subscriptionId: r.stripeSubscriptionId!, error: e, now: input.now ?? new Date() }).catch((err: unknown) =>
          console.error(`[payments] could not alert operators about ${r.workspaceId}: ${messageOf(err)}`),
        );
      }
    }
    if (input.deadline && Date.now() > input.deadline) return { synced, failed, cursor: rows[rows.length - 1]!.workspaceId };
  }
  return { synced, failed, cursor: null };
}

const SYNC_FAILED = "subscription_sync_failed";

/**
 * What only a person can mend: the subscription no longer exists at Stripe (deleted, or made in another account),
 * or its price stands for no plan version here. Asked of Stripe again, since a refusal can be about another
 * object the sync reads. Anything else is tried again by the next run without an alert: Stripe unreachable or
 * overloaded, a database error, or a key Stripe refuses (every call fails alike: not one subscription's).
 */
async function needsOperator(e: unknown, subscriptionId: string): Promise<boolean> {
  if (isAppError(e)) return e.code === "not_found";
  if (!isStripeError(e) || e.type !== "StripeInvalidRequestError") return false;
  return stripe().subscriptions.retrieve(subscriptionId).then(
    () => false,
    (again: unknown) => isStripeError(again) && again.code === "resource_missing",
  );
}

/**
 * A subscription Stripe no longer has (deleted, in another account) or whose price Tally cannot map stays as it
 * was here, plan and period, while every run fails on it: operators are told, once while the alert is open and
 * again the next day if it still fails after they dealt with it.
 */
async function alertIfStuck(db: PrismaClient, f: { workspaceId: string; subscriptionId: string; error: unknown; now: Date }) {
  if (!(await needsOperator(f.error, f.subscriptionId))) return;
  const open = await db.operatorAlert.findFirst({ where: { kind: SYNC_FAILED, subjectId: f.subscriptionId, resolvedAt: null }, select: { id: true } });
  if (open) return;
  const reason = messageOf(f.error);
  await alertOperators(db, {
    kind: SYNC_FAILED,
    workspaceId: f.workspaceId,
    subjectId: f.subscriptionId,
    message: `Stripe subscription ${f.subscriptionId} could not be read again (${reason.replace(/\.$/, "")}). Its plan, status and period here stay as they were until it can; look at it in Stripe's Dashboard.`,
    dedupeKey: `${SYNC_FAILED}:${f.subscriptionId}:${f.now.toISOString().slice(0, 10)}`,
    now: f.now,
  });
}

/** Applies again the stored events that failed (or were left half-way by a crashed instance). */
export async function retryFailedEvents(db: PrismaClient, input: Batch & { staleAfterMs?: number } = {}): Promise<{ retried: number; processed: number; stillFailing: number }> {
  const now = input.now ?? new Date();
  const stale = new Date(now.getTime() - (input.staleAfterMs ?? 5 * 60_000));
  let retried = 0;
  let processed = 0;
  let stillFailing = 0;
  let cursor: string | null = null;
  for (;;) {
    const rows: { id: string; payload: unknown }[] = await db.stripeEvent.findMany({
      where: { OR: [{ status: "failed" }, { status: "received", receivedAt: { lt: stale } }], ...(cursor ? { id: { gt: cursor } } : {}) },
      orderBy: { id: "asc" },
      take: input.batchSize ?? 100,
      select: { id: true, payload: true },
    });
    if (!rows.length) break;
    for (const r of rows) {
      retried++;
      // One stored event that cannot even be read (a damaged payload) must not stop the retries of the others.
      const out = await processStripeEvent(db, r.payload as Stripe.Event).catch((e: unknown) => {
        console.error(`[reconcile] could not retry Stripe event ${r.id}:`, e);
        return { outcome: "failed" } as const;
      });
      if (out.outcome === "failed") stillFailing++;
      else processed++;
    }
    cursor = rows[rows.length - 1]!.id;
    if (input.deadline && Date.now() > input.deadline) break;
  }
  return { retried, processed, stillFailing };
}

/**
 * Lists Stripe's events of the last `days` (GET /v1/events) and applies those never received or not yet
 * processed, oldest first: a webhook endpoint that was down loses nothing.
 */
export async function recoverMissedEvents(db: PrismaClient, input: Batch & { days?: number } = {}): Promise<{ listed: number; recovered: number; failed: number }> {
  const now = input.now ?? new Date();
  const since = Math.floor(now.getTime() / 1000) - (input.days ?? 3) * 86_400;
  const events: Stripe.Event[] = [];
  for await (const event of stripe().events.list({ created: { gte: since }, limit: 100 })) events.push(event);
  events.reverse();
  let recovered = 0;
  let failed = 0;
  for (let i = 0; i < events.length; i += input.batchSize ?? 100) {
    const slice = events.slice(i, i + (input.batchSize ?? 100));
    const done = new Set(
      (await db.stripeEvent.findMany({ where: { id: { in: slice.map((e) => e.id) }, status: "processed" }, select: { id: true } })).map((e) => e.id),
    );
    for (const event of slice) {
      if (done.has(event.id)) continue;
      const out = await processStripeEvent(db, event);
      if (out.outcome === "failed") failed++;
      else recovered++;
    }
    if (input.deadline && Date.now() > input.deadline) break;
  }
  return { listed: events.length, recovered, failed };
}

/**
 * The catalog's prices, created on Stripe when missing there (a deploy whose `npm run stripe:setup` never ran,
 * a new Stripe account, a price archived in the Dashboard) and their ids stored, so a checkout never meets
 * "prices are not synced" for longer than one reconcile run. A Stripe failure is reported, not thrown: the
 * rest of the reconcile still runs.
 */
export async function repairStripeCatalog(db: PrismaClient): Promise<{ found: number; created: number } | { error: string }> {
  try {
    const { found, created } = await syncStripeCatalog(db, stripe());
    if (created) console.log(`[payments] reconcile created ${created} missing Stripe price(s)`);
    return { found, created };
  } catch (e) {
    const error = messageOf(e);
    console.error(`[payments] catalog repair failed: ${error}`);
    return { error };
  }
}
