import { currentPlanVersion, onPlanChanged, type Client } from "@/lib/billing";
import { inTransaction } from "@/lib/db";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { billedByStripe, cancelSubscriptionNow, setCancelAtPeriodEnd } from "@/lib/payments";
import { recordAudit } from "./audit";
import type { Operator } from "./operators";

const DAY = 86_400_000;

/** The workspace's plan changes, newest first, with the plans' names. */
export async function planHistory(db: Client, workspaceId: string, limit = 50) {
  const rows = await db.planChange.findMany({ where: { workspaceId }, orderBy: { changedAt: "desc" }, take: limit });
  const plans = await db.plan.findMany({ where: { id: { in: [...new Set(rows.flatMap((r) => [r.fromPlanId, r.toPlanId]))] } }, select: { id: true, name: true, version: true } });
  const name = new Map(plans.map((p) => [p.id, `${p.name} v${p.version}`]));
  return rows.map((r) => ({ ...r, from: name.get(r.fromPlanId) ?? r.fromPlanId, to: name.get(r.toPlanId) ?? r.toPlanId }));
}

/** Tells the plan-change trigger (and the audit log) who is changing the plan in this transaction, and why. */
export async function asOperator(tx: Tx, op: Operator, reason: string) {
  await tx.$executeRaw`SELECT set_config('tally.plan_change_reason', ${reason}, true), set_config('tally.actor_id', ${op.id}, true),
    set_config('tally.actor_email', ${op.email}, true), set_config('tally.actor_kind', 'operator', true)`;
}

async function lockTrial(tx: Tx, workspaceId: string) {
  const rows = await tx.$queryRaw<{ status: string; trialEndsAt: Date | null; stripeSubscriptionId: string | null; stripeStatus: string | null }[]>`
    SELECT status::text AS status, "trialEndsAt", "stripeSubscriptionId", "stripeStatus" FROM "Subscription" WHERE "workspaceId" = ${workspaceId} FOR UPDATE`;
  const row = rows[0];
  if (!row) throw new AppError("not_found", "Workspace not found.");
  // A trial that became a paid subscription is Stripe's to end (its own trial_end), not this console's.
  if (row.status !== "trialing" || billedByStripe(row) || !row.trialEndsAt) throw new AppError("conflict", "This workspace is not in a trial without a card.");
  return { ...row, trialEndsAt: row.trialEndsAt };
}

/**
 * Extends a running card-less trial by `days`, logged with the old and new end. The request id (chosen when the
 * form was rendered) makes a double submit one extension: the second finds the first's entry under the row lock.
 */
export async function extendTrial(db: Client, op: Operator, input: { workspaceId: string; days: number; requestId: string; memo?: string }) {
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > 90) throw new AppError("invalid_request", "Extend by 1 to 90 days.", { field: "days" });
  return inTransaction(db, async (tx) => {
    const row = await lockTrial(tx, input.workspaceId);
    const done = await tx.auditLog.findFirst({ where: { workspaceId: input.workspaceId, action: "trial.extended", subjectId: input.requestId }, select: { id: true } });
    if (done) return { trialEndsAt: row.trialEndsAt, created: false };
    const trialEndsAt = new Date(Math.max(row.trialEndsAt.getTime(), Date.now()) + input.days * DAY);
    await tx.subscription.update({ where: { workspaceId: input.workspaceId }, data: { trialEndsAt } });
    await recordAudit(tx, { kind: "operator", id: op.id, email: op.email }, {
      workspaceId: input.workspaceId, action: "trial.extended", subjectType: "trial_extension", subjectId: input.requestId, memo: input.memo ?? null,
      before: { trialEndsAt: row.trialEndsAt }, after: { trialEndsAt },
    });
    return { trialEndsAt, created: true };
  });
}

/** Ends a card-less trial now: back to Free, quotas lowered at once (as the trials cron does at its end). */
export async function endTrialNow(db: Client, op: Operator, input: { workspaceId: string; memo?: string; now?: Date }) {
  const now = input.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const row = await lockTrial(tx, input.workspaceId);
    const free = await currentPlanVersion(tx, "free");
    if (!free) throw new AppError("conflict", "The catalog has no Free plan.");
    await asOperator(tx, op, "operator");
    await tx.subscription.update({ where: { workspaceId: input.workspaceId }, data: { status: "free", planId: free.id } });
    await onPlanChanged(tx, { workspaceId: input.workspaceId, now, lowerQuotas: true });
    await recordAudit(tx, { kind: "operator", id: op.id, email: op.email }, {
      workspaceId: input.workspaceId, action: "trial.ended", subjectType: "subscription", memo: input.memo ?? null,
      before: { status: "trialing", trialEndsAt: row.trialEndsAt }, after: { status: "free" },
    });
  });
}

const LIVE = ["active", "trialing", "past_due", "degraded"];

/**
 * Cancels a workspace's paid subscription for an operator. `period_end`: Stripe cancels it when the paid
 * period ends; until then nothing changes, then the workspace moves to Free (and `resume` undoes it before
 * that). `now`: Stripe ends it at once, without proration or refund; the workspace is on Free from now, with
 * Free's quotas at once, and the plan change is recorded as the operator's.
 */
export async function operatorCancel(db: PrismaClient, op: Operator, input: { workspaceId: string; when: "period_end" | "now" | "resume"; requestId: string; memo?: string | null }) {
  const row = await db.subscription.findUnique({ where: { workspaceId: input.workspaceId }, include: { plan: true } });
  if (!row) throw new AppError("not_found", "Workspace not found.");
  if (!row.stripeSubscriptionId || !LIVE.includes(row.status) || row.stripeStatus === "canceled") {
    throw new AppError("conflict", row.status === "trialing" ? "This trial has no card: end the trial instead." : "This workspace has no paid subscription to cancel.");
  }
  const actor = { kind: "operator" as const, id: op.id, email: op.email };
  const before = { plan: `${row.plan.name} v${row.plan.version}`, status: row.status, cancelAtPeriodEnd: row.cancelAtPeriodEnd, currentPeriodEnd: row.currentPeriodEnd };
  if (input.when !== "now") {
    const cancel = input.when === "period_end";
    const { changed } = await setCancelAtPeriodEnd(db, { workspaceId: input.workspaceId, cancel });
    const after = await db.subscription.findUniqueOrThrow({ where: { workspaceId: input.workspaceId }, select: { cancelAtPeriodEnd: true, currentPeriodEnd: true } });
    // Already so at Stripe (a double submit, or an undo with nothing scheduled): nothing changed, nothing to log.
    if (!changed) return { status: row.status, cancelAtPeriodEnd: after.cancelAtPeriodEnd, currentPeriodEnd: after.currentPeriodEnd, changed };
    await recordAudit(db, actor, {
      workspaceId: input.workspaceId, action: cancel ? "subscription.cancel_scheduled" : "subscription.cancel_undone", subjectType: "subscription", subjectId: row.stripeSubscriptionId ?? undefined,
      memo: input.memo ?? null, before, after,
    });
    return { status: row.status, cancelAtPeriodEnd: after.cancelAtPeriodEnd, currentPeriodEnd: after.currentPeriodEnd, changed: true };
  }
  return db.$transaction(
    async (tx) => {
      // Checked again under the lock: a second submit that waited here finds the subscription already ended.
      const [locked] = await tx.$queryRaw<{ status: string; stripeStatus: string | null }[]>`
        SELECT status::text AS status, "stripeStatus" FROM "Subscription" WHERE "workspaceId" = ${input.workspaceId} FOR UPDATE`;
      if (!locked || !LIVE.includes(locked.status) || locked.stripeStatus === "canceled") {
        return { status: locked?.status ?? "free", cancelAtPeriodEnd: false, currentPeriodEnd: null, changed: false };
      }
      await asOperator(tx, op, "operator");
      const r = await cancelSubscriptionNow(tx, { workspaceId: input.workspaceId, subscriptionId: row.stripeSubscriptionId!, key: input.requestId });
      await recordAudit(tx, actor, {
        workspaceId: input.workspaceId, action: "subscription.canceled", subjectType: "subscription", subjectId: row.stripeSubscriptionId ?? undefined, memo: input.memo ?? null,
        before, after: { status: r.status ?? "free", planChanged: r.planChanged ?? false },
      });
      return { status: r.status ?? "free", cancelAtPeriodEnd: false, currentPeriodEnd: null, changed: true };
    },
    { maxWait: 15_000, timeout: 60_000 },
  );
}
