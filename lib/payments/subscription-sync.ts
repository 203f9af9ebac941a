import { onPlanChanged, resetWindowsForPeriod } from "@/lib/billing";
import type { SubscriptionStatus } from "@/lib/generated/prisma/enums";
import type { Tx } from "@/lib/db";
import { idOf, stripe, subscriptionPeriod, subscriptionPrice, type Stripe } from "@/lib/stripe";
import { withTransaction, type Client } from "./db";
import { freePlanId, lockSubscriptionRow, planForPrice, workspaceIdFor } from "./lookup";

export interface SyncResult {
  workspaceId: string | null;
  applied: boolean;
  status?: SubscriptionStatus;
  planId?: string;
  reason?: string;
  periodReset?: boolean;
  planChanged?: boolean;
}

const ENDED = new Set(["canceled", "incomplete_expired"]);
const DUNNING = new Set<SubscriptionStatus>(["past_due", "degraded", "unpaid"]);

/**
 * Convergent sync: re-reads the subscription from Stripe under the workspace's row lock and writes what
 * Stripe says now, so events may arrive in any order or any number of times and the result is the same.
 * Effects: a new current_period_start resets the windows; a plan change raises current quotas at once;
 * an ended subscription moves the workspace to Free. Dunning only escalates here (the dunning cron moves
 * past_due on to degraded and unpaid); an active subscription clears it.
 */
export async function syncSubscription(
  db: Client,
  input: { subscriptionId: string; workspaceId?: string | null; now?: Date },
): Promise<SyncResult> {
  let workspaceId = input.workspaceId ?? null;
  if (!workspaceId) {
    const peek = await stripe().subscriptions.retrieve(input.subscriptionId);
    workspaceId = await workspaceIdFor(db, peek);
    if (!workspaceId) return { workspaceId: null, applied: false, reason: "no workspace for this subscription" };
  }
  const ws = workspaceId;
  return withTransaction(db, async (tx) => {
    const row = await lockSubscriptionRow(tx, ws);
    const sub = await stripe().subscriptions.retrieve(input.subscriptionId, { expand: ["latest_invoice", "schedule"] });
    return applySubscription(tx, row, sub, input.now ?? new Date());
  });
}

type Row = Awaited<ReturnType<typeof lockSubscriptionRow>>;

async function applySubscription(tx: Tx, row: Row, sub: Stripe.Subscription, now: Date): Promise<SyncResult> {
  const workspaceId = row.workspaceId;
  const ended = ENDED.has(sub.status) || sub.status === "paused";
  if (row.stripeSubscriptionId && row.stripeSubscriptionId !== sub.id) {
    // Another subscription is the workspace's current one: an ended one never displaces it, and of two
    // live ones the newer wins.
    if (ended) return { workspaceId, applied: false, reason: "an older subscription" };
    const current = await stripe().subscriptions.retrieve(row.stripeSubscriptionId);
    if (!ENDED.has(current.status) && current.created >= sub.created) return { workspaceId, applied: false, reason: "an older subscription" };
  }

  if (ended) {
    const freeId = await freePlanId(tx);
    const planChanged = row.planId !== freeId;
    await tx.subscription.update({
      where: { workspaceId },
      data: {
        planId: freeId, status: "free", interval: "month", stripeSubscriptionId: sub.id, stripeStatus: sub.status,
        currentPeriodStart: null, currentPeriodEnd: null, periodAnchor: null, cancelAtPeriodEnd: false,
        pendingPlanId: null, pendingInterval: null, pendingChangeAt: null, stripeScheduleId: null, pastDueSince: null, stripeSyncedAt: now,
      },
    });
    if (planChanged) await onPlanChanged(tx, { workspaceId, now, lowerQuotas: true });
    return { workspaceId, applied: true, status: "free", planId: freeId, planChanged };
  }

  if (sub.status === "incomplete") {
    // The first payment has not gone through: nothing is bought yet.
    return { workspaceId, applied: false, reason: "incomplete" };
  }

  const price = subscriptionPrice(sub);
  const period = subscriptionPeriod(sub);
  if (!price || !period) return { workspaceId, applied: false, reason: "no item" };
  const target = await planForPrice(tx, price);

  let status: SubscriptionStatus;
  let pastDueSince: Date | null = null;
  if (sub.status === "trialing") status = "trialing";
  else if (sub.status === "active") status = "active";
  else {
    // past_due or unpaid at Stripe: keep how far dunning has gone; the clock starts at the failed invoice.
    status = DUNNING.has(row.status) ? row.status : "past_due";
    pastDueSince = row.pastDueSince ?? failedSince(sub) ?? now;
  }
  // Once dunning moved the workspace to Free, it stays there until a payment clears it.
  const planId = status === "unpaid" ? await freePlanId(tx) : target.planId;

  const pending = await pendingChange(tx, sub, period.end);
  const planChanged = row.planId !== planId;
  const periodChanged = row.currentPeriodStart?.getTime() !== period.start.getTime();

  await tx.subscription.update({
    where: { workspaceId },
    data: {
      planId,
      status,
      interval: target.interval,
      stripeSubscriptionId: sub.id,
      stripeStatus: sub.status,
      periodAnchor: new Date(sub.billing_cycle_anchor * 1000),
      currentPeriodEnd: period.end,
      currentPeriodStart: period.start,
      trialEndsAt: sub.status === "trialing" && sub.trial_end ? new Date(sub.trial_end * 1000) : row.trialEndsAt,
      cancelAtPeriodEnd: sub.cancel_at_period_end || sub.cancel_at !== null,
      pendingPlanId: pending?.planId ?? null,
      pendingInterval: pending?.interval ?? null,
      pendingChangeAt: pending?.at ?? null,
      stripeScheduleId: idOf(sub.schedule),
      pastDueSince,
      stripeSyncedAt: now,
    },
  });
  if (periodChanged) await resetWindowsForPeriod(tx, { workspaceId, periodStart: period.start, periodEnd: period.end, now });
  if (planChanged || periodChanged) await onPlanChanged(tx, { workspaceId, now, lowerQuotas: status === "unpaid" });
  return { workspaceId, applied: true, status, planId, planChanged, periodReset: periodChanged };
}

/** When the unpaid invoice was first attempted (test-clock time included), if Stripe shows one. */
function failedSince(sub: Stripe.Subscription): Date | null {
  const invoice = sub.latest_invoice;
  if (!invoice || typeof invoice === "string" || invoice.status !== "open") return null;
  const at = invoice.status_transitions?.finalized_at ?? invoice.created;
  return new Date(at * 1000);
}

/** A change the subscription's schedule makes at a later phase (a downgrade booked for the period end). */
async function pendingChange(tx: Tx, sub: Stripe.Subscription, periodEnd: Date): Promise<{ planId: string; interval: "month" | "year"; at: Date } | null> {
  const schedule = sub.schedule;
  if (!schedule || typeof schedule === "string" || schedule.status !== "active") return null;
  const current = subscriptionPrice(sub);
  const next = schedule.phases.find((p) => p.start_date * 1000 >= periodEnd.getTime());
  const nextPriceId = idOf(next?.items[0]?.price ?? null);
  if (!next || !nextPriceId || nextPriceId === current?.id) return null;
  const price = await stripe().prices.retrieve(nextPriceId);
  const plan = await planForPrice(tx, price);
  return { ...plan, at: new Date(next.start_date * 1000) };
}
