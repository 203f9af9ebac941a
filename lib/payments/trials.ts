import { currentPlanVersion, onPlanChanged } from "@/lib/billing";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { withTransaction, type Client } from "./db";
import { freePlanId, lockSubscriptionRow } from "./lookup";

const DAY = 86_400_000;

/**
 * Starts the plan's trial with no card: the plan and its quotas apply at once, for trialDays (7). One trial
 * per workspace. It ends by itself (the trials cron moves it to Free) unless a checkout happened meanwhile.
 */
export async function startTrial(db: Client, input: { workspaceId: string; planKey: string; now?: Date }): Promise<{ trialEndsAt: Date }> {
  const now = input.now ?? new Date();
  return withTransaction(db, async (tx) => {
    const row = await lockSubscriptionRow(tx, input.workspaceId);
    if (row.trialEndsAt) throw new AppError("conflict", "This workspace has already used its trial.");
    if (row.status !== "free" || (row.stripeSubscriptionId && row.stripeStatus !== "canceled")) throw new AppError("conflict", "Trials are for workspaces on the Free plan.");
    const plan = await currentPlanVersion(tx, input.planKey);
    if (!plan || plan.trialDays <= 0) throw new AppError("invalid_request", "This plan has no trial.", { field: "plan" });
    const trialEndsAt = new Date(now.getTime() + plan.trialDays * DAY);
    await tx.subscription.update({ where: { workspaceId: input.workspaceId }, data: { planId: plan.id, status: "trialing", interval: "month", trialEndsAt } });
    await onPlanChanged(tx, { workspaceId: input.workspaceId, now });
    return { trialEndsAt };
  });
}

/** Ends trials that ran out without a checkout: back to Free, quotas lowered now. Idempotent, batched. */
export async function endExpiredTrials(db: PrismaClient, input: { now?: Date; batchSize?: number; deadline?: number } = {}): Promise<{ ended: number; cursor: string | null }> {
  const now = input.now ?? new Date();
  let ended = 0;
  let cursor: string | null = null;
  for (;;) {
    const rows: { workspaceId: string }[] = await db.subscription.findMany({
      where: { status: "trialing", stripeSubscriptionId: null, trialEndsAt: { lte: now }, ...(cursor ? { workspaceId: { gt: cursor } } : {}) },
      orderBy: { workspaceId: "asc" },
      take: input.batchSize ?? 100,
      select: { workspaceId: true },
    });
    if (!rows.length) return { ended, cursor: null };
    for (const r of rows) {
      const done = await withTransaction(db, async (tx) => {
        const row = await lockSubscriptionRow(tx, r.workspaceId);
        if (row.status !== "trialing" || row.stripeSubscriptionId || !row.trialEndsAt || row.trialEndsAt > now) return false;
        await tx.subscription.update({ where: { workspaceId: r.workspaceId }, data: { status: "free", planId: await freePlanId(tx) } });
        await onPlanChanged(tx, { workspaceId: r.workspaceId, now, lowerQuotas: true });
        return true;
      });
      if (done) ended++;
    }
    cursor = rows[rows.length - 1]!.workspaceId;
    if (input.deadline && Date.now() > input.deadline) return { ended, cursor };
  }
}
