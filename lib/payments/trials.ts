import { currentPlanVersion, deliverNotifications, onPlanChanged } from "@/lib/billing";
import { recordLifecycleEmail } from "@/lib/email/lifecycle/record";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { Tx } from "@/lib/db";
import type { Stripe } from "@/lib/stripe";
import { withTransaction, type Client } from "./db";
import { billedByStripe, freePlanId, lockSubscriptionRow, STRIPE_ENDED_STATUSES, workspaceIdFor } from "./lookup";
import { trialEmailKey } from "./trial-email";

const DAY = 86_400_000;
/** Owners hear that a trial ends this many days before it does (as Stripe sends trial_will_end). */
const TRIAL_NOTICE_DAYS = 3;

/**
 * Starts the plan's trial with no card: the plan and its quotas apply at once, for trialDays (7). One trial
 * per workspace, and one per email address: the person starting it (`userId`) needs a verified address, which
 * the trial then claims for good (TrialClaim), so a new workspace or a new account gets no second one.
 * It ends by itself (the trials cron moves it to Free) unless a checkout happened meanwhile.
 */
export async function startTrial(db: Client, input: { workspaceId: string; planKey: string; userId: string; now?: Date }): Promise<{ trialEndsAt: Date }> {
  const now = input.now ?? new Date();
  return withTransaction(db, async (tx) => {
    const row = await lockSubscriptionRow(tx, input.workspaceId);
    if (row.trialEndsAt) throw new AppError("conflict", "This workspace has already used its trial.");
    if (row.status !== "free" || billedByStripe(row)) throw new AppError("conflict", "Trials are for workspaces on the Free plan.");
    const plan = await currentPlanVersion(tx, input.planKey);
    if (!plan || plan.trialDays <= 0) throw new AppError("invalid_request", "This plan has no trial.", { field: "plan" });
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { email: true, emailVerified: true } });
    if (!user?.emailVerified) throw new AppError("email_unverified", "Verify your email address before starting a trial.");
    const claimed = await tx.$executeRaw`
      INSERT INTO "TrialClaim" ("emailKey", "userId", "workspaceId") VALUES (${trialEmailKey(user.email)}, ${input.userId}, ${input.workspaceId})
      ON CONFLICT ("emailKey") DO NOTHING`;
    if (claimed === 0) throw new AppError("conflict", "This email address has already had a free trial. Subscribe to a plan to keep its features.");
    const trialEndsAt = new Date(now.getTime() + plan.trialDays * DAY);
    await tx.subscription.update({ where: { workspaceId: input.workspaceId }, data: { planId: plan.id, status: "trialing", interval: "month", trialEndsAt } });
    await onPlanChanged(tx, { workspaceId: input.workspaceId, now });
    return { trialEndsAt };
  });
}

/**
 * Ends trials that ran out without a checkout: back to Free, quotas lowered now, the owners told. First tells
 * the owners of trials ending within 3 days (the app's own trials: Stripe's say so with trial_will_end).
 * Idempotent, batched.
 */
export async function endExpiredTrials(db: PrismaClient, input: { now?: Date; batchSize?: number; deadline?: number } = {}): Promise<{ ended: number; warned: number; cursor: string | null }> {
  const now = input.now ?? new Date();
  const warned = await noticeLocalTrialsEnding(db, now, input.batchSize, input.deadline);
  let ended = 0;
  let cursor: string | null = null;
  for (;;) {
    const rows: { workspaceId: string }[] = await db.subscription.findMany({
      where: { status: "trialing", OR: [{ stripeSubscriptionId: null }, { stripeStatus: { in: STRIPE_ENDED_STATUSES } }], trialEndsAt: { lte: now }, ...(cursor ? { workspaceId: { gt: cursor } } : {}) },
      orderBy: { workspaceId: "asc" },
      take: input.batchSize ?? 100,
      select: { workspaceId: true },
    });
    if (!rows.length) return { ended, warned, cursor: null };
    for (const r of rows) {
      const done = await withTransaction(db, async (tx) => {
        const row = await lockSubscriptionRow(tx, r.workspaceId);
        if (row.status !== "trialing" || billedByStripe(row) || !row.trialEndsAt || row.trialEndsAt > now) return false;
        const plan = await tx.plan.findUnique({ where: { id: row.planId }, select: { name: true } });
        await tx.subscription.update({ where: { workspaceId: r.workspaceId }, data: { status: "free", planId: await freePlanId(tx) } });
        await onPlanChanged(tx, { workspaceId: r.workspaceId, now, lowerQuotas: true });
        const endedAt = row.trialEndsAt.toISOString();
        return recordLifecycleEmail(tx, {
          workspaceId: r.workspaceId, kind: "trial_ended", dedupeKey: `trial_ended:${endedAt}`, data: { planName: plan?.name ?? "paid", endedAt }, now,
        });
      });
      if (done !== false) ended++;
      if (done) await deliverNotifications(db, [done], undefined, now);
    }
    cursor = rows[rows.length - 1]!.workspaceId;
    if (input.deadline && Date.now() > input.deadline) return { ended, warned, cursor };
  }
}

/**
 * customer.subscription.trial_will_end (Stripe sends it 3 days before a trial ends): the owners are told when
 * it ends and what happens then, once per trial (per subscription and trial end: a trial moved later is a new
 * end to announce, and the trials cron's notice of the same end counts). The subscription is re-read, so a trial that already ended or was paid says nothing.
 */
export async function noticeTrialEndingOf(tx: Tx, sub: Stripe.Subscription, now: Date): Promise<{ notifications: string[] }> {
  if (sub.status !== "trialing" || !sub.trial_end) return { notifications: [] };
  const workspaceId = await workspaceIdFor(tx, sub);
  if (!workspaceId) return { notifications: [] };
  const plan = await tx.subscription.findUnique({ where: { workspaceId }, select: { plan: { select: { name: true } } } });
  const endsAt = new Date(sub.trial_end * 1000).toISOString();
  const id = await recordLifecycleEmail(tx, {
    workspaceId, kind: "trial_will_end", dedupeKey: trialEndingKey(endsAt), now,
    data: { planName: plan?.plan.name ?? "paid", endsAt, hasCard: !!sub.default_payment_method, subscribed: true },
  });
  return { notifications: id ? [id] : [] };
}

// One key for both paths (per workspace): a trial carried into a checkout keeps its end, and is announced once.
const trialEndingKey = (endsAtIso: string) => `trial_will_end:${endsAtIso}`;

/**
 * The app's own trials (no card, no Stripe subscription) ending within 3 days: the owners are told once per trial
 * end. In batches with a cursor: trials already told stay in the set until they end (their notice is written
 * once), so batches without one would find the same trials every run and never the rest.
 */
async function noticeLocalTrialsEnding(db: PrismaClient, now: Date, batchSize = 500, deadline = Number.POSITIVE_INFINITY): Promise<number> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const rows: { workspaceId: string; trialEndsAt: Date | null; plan: { name: string } }[] = await db.subscription.findMany({
      // Local trials include those started after a Stripe subscription ended (its id stays on the row), as endExpiredTrials counts them.
      where: { status: "trialing", OR: [{ stripeSubscriptionId: null }, { stripeStatus: { in: STRIPE_ENDED_STATUSES } }], trialEndsAt: { gt: now, lte: new Date(now.getTime() + TRIAL_NOTICE_DAYS * DAY) }, ...(cursor ? { workspaceId: { gt: cursor } } : {}) },
      select: { workspaceId: true, trialEndsAt: true, plan: { select: { name: true } } },
      orderBy: { workspaceId: "asc" },
      take: batchSize,
    });
    for (const r of rows) {
      const endsAt = r.trialEndsAt!.toISOString();
      const id = await recordLifecycleEmail(db, {
        workspaceId: r.workspaceId, kind: "trial_will_end", dedupeKey: trialEndingKey(endsAt), now,
        data: { planName: r.plan.name, endsAt, hasCard: false },
      });
      if (id) ids.push(id);
    }
    if (rows.length < batchSize || Date.now() > deadline) break;
    cursor = rows[rows.length - 1]!.workspaceId;
  }
  if (ids.length) await deliverNotifications(db, ids, undefined, now);
  return ids.length;
}
