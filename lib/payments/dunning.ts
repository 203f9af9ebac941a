import { deliverNotifications, onPlanChanged } from "@/lib/billing";
import { recordLifecycleEmail } from "@/lib/email/lifecycle/record";
import { messageOf } from "@/lib/errors";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { freePlanId, lockSubscriptionRow } from "./lookup";
import { sweep } from "./sweep";
import { syncSubscription } from "./subscription-sync";

const DAY = 86_400_000;
export const DEGRADED_AFTER_DAYS = 7;
export const UNPAID_AFTER_DAYS = 14;

export interface DunningSummary {
  checked: number;
  degraded: number;
  unpaid: number;
  cleared: number;
  /** Workspaces whose subscription could not be read from Stripe: left as they are until the next run. */
  failed: number;
}

/**
 * Moves failing workspaces along: 7 days after the first failed payment, degraded (the current quota keeps
 * working; new checkouts and extras purchases are refused); after 14, unpaid and moved to Free. Each
 * workspace is re-synced from Stripe first, so a payment whose webhook was missed clears it instead; one that
 * cannot be re-synced is skipped and counted as failed.
 * Idempotent: a workspace is only ever moved forward, under its row lock. Batched by workspace id.
 */
export async function runDunning(db: PrismaClient, input: { now?: Date; batchSize?: number; deadline?: number; resumeAfter?: string | null } = {}): Promise<DunningSummary & { cursor: string | null }> {
  const now = input.now ?? new Date();
  const summary: DunningSummary = { checked: 0, degraded: 0, unpaid: 0, cleared: 0, failed: 0 };
  const batches = sweep(
    (range) =>
      db.subscription.findMany({
        where: { pastDueSince: { not: null }, status: { in: ["past_due", "degraded"] }, workspaceId: range },
        orderBy: { workspaceId: "asc" },
        take: input.batchSize ?? 100,
        select: { workspaceId: true, stripeSubscriptionId: true },
      }),
    input.resumeAfter,
  );
  for await (const rows of batches) {
    for (const r of rows) {
      summary.checked++;
      // One subscription Stripe cannot answer for (deleted, another account's) must not stop dunning for the
      // rest; without a fresh read that workspace is not escalated either (its payment may have gone through).
      if (r.stripeSubscriptionId) {
        try {
          await syncSubscription(db, { subscriptionId: r.stripeSubscriptionId, workspaceId: r.workspaceId, now });
        } catch (e) {
          summary.failed++;
          console.error(`[payments] dunning: re-reading ${r.workspaceId} failed: ${messageOf(e)}`);
          continue;
        }
      }
      const { moved, notification } = await escalate(db, r.workspaceId, now);
      if (moved) summary[moved]++;
      // After commit, and never failing the run: the cron's notification pass retries a failed send.
      if (notification) await deliverNotifications(db, [notification], undefined, now);
    }
    if (input.deadline && Date.now() > input.deadline) return { ...summary, cursor: rows[rows.length - 1]!.workspaceId };
  }
  return { ...summary, cursor: null };
}

/** Moves one workspace forward; the owners are told once per step of each dunning (keyed by when it started). */
async function escalate(db: PrismaClient, workspaceId: string, now: Date): Promise<{ moved: "degraded" | "unpaid" | "cleared" | null; notification?: string | null }> {
  return db.$transaction(async (tx) => {
    const row = await lockSubscriptionRow(tx, workspaceId);
    if (!row.pastDueSince) return { moved: row.status === "active" ? "cleared" : null };
    const since = row.pastDueSince.toISOString();
    const days = (now.getTime() - row.pastDueSince.getTime()) / DAY;
    if (days >= UNPAID_AFTER_DAYS && row.status !== "unpaid") {
      await tx.subscription.update({ where: { workspaceId }, data: { status: "unpaid", planId: await freePlanId(tx), pendingPlanId: null, pendingInterval: null, pendingChangeAt: null } });
      await onPlanChanged(tx, { workspaceId, now, lowerQuotas: true });
      const notification = await recordLifecycleEmail(tx, { workspaceId, kind: "moved_to_free", dedupeKey: `moved_to_free:${since}`, data: { since }, now });
      return { moved: "unpaid", notification };
    }
    if (days >= DEGRADED_AFTER_DAYS && row.status === "past_due") {
      await tx.subscription.update({ where: { workspaceId }, data: { status: "degraded" } });
      const notification = await recordLifecycleEmail(tx, {
        workspaceId, kind: "degraded", dedupeKey: `degraded:${since}`, data: { since, unpaidAfterDays: UNPAID_AFTER_DAYS }, now,
      });
      return { moved: "degraded", notification };
    }
    return { moved: null };
  }, { maxWait: 15_000, timeout: 30_000 });
}
