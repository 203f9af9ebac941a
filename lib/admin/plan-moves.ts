import { onPlanChanged, type Client, type OverrideInForce } from "@/lib/billing";
import { quotaChanges } from "@/lib/billing/plan-windows";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { moveSubscriptionPrice } from "@/lib/payments";
import { recordAudit } from "./audit";
import type { Operator } from "./operators";
import { asOperator } from "./subscriptions";
import { formatMoney } from "@/lib/format";

type PlanRow = Prisma.PlanGetPayload<{ include: { entitlements: true } }>;
type Interval = "month" | "year";

/** What a workspace gets, as a move's preview states it and as its result is read back: the two must be equal. */
export interface Terms {
  planId: string;
  plan: string; // "Pro v2"
  interval: Interval;
  priceCents: number;
  currency: string;
  /** Each feature's limit for new windows: the plan's, or an override in force (null = unlimited). */
  limits: Record<string, string | null>;
  /** The quotas of the windows open now: a higher limit raises them at once, a lower one waits for the next window. */
  windows: Record<string, string | null>;
}

export interface MovePreview {
  workspaceId: string;
  name: string;
  slug: string;
  status: string;
  stripeBacked: boolean;
  before: Terms;
  after: Terms;
  /** What happens, in words (billing, scheduled changes, overrides). */
  notes: string[];
  /** Why this workspace cannot move to the target, or null. */
  blocked: string | null;
}

const LIVE_AT_STRIPE = ["active", "trialing", "past_due", "degraded"];
const dec = (v: { toFixed(): string } | null) => (v === null ? null : v.toFixed());
export const planLabel = (p: { name: string; version: number }) => `${p.name} v${p.version}`;
const priceOf = (p: { monthlyPriceCents: number; annualPriceCents: number }, interval: Interval) => (interval === "year" ? p.annualPriceCents : p.monthlyPriceCents);

interface SubState {
  workspaceId: string;
  status: string;
  interval: Interval;
  stripeSubscriptionId: string | null;
  stripeStatus: string | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  pendingPlanId: string | null;
  plan: PlanRow;
  workspace: { name: string; slug: string };
}

function termsOf(plan: PlanRow, interval: Interval, overrides: Map<string, OverrideInForce>, windows: Record<string, string | null>): Terms {
  const limits: Record<string, string | null> = {};
  for (const e of [...plan.entitlements].sort((a, b) => a.feature.localeCompare(b.feature))) {
    const o = overrides.get(e.feature);
    limits[e.feature] = dec(o ? o.limit : e.limit);
  }
  return { planId: plan.id, plan: planLabel(plan), interval, priceCents: priceOf(plan, interval), currency: plan.currency, limits, windows };
}

/** True when the workspace's plan is billed by a live Stripe subscription (its price is what must change). */
const isStripeBacked = (s: Pick<SubState, "stripeSubscriptionId" | "stripeStatus" | "status">) =>
  !!s.stripeSubscriptionId && LIVE_AT_STRIPE.includes(s.status) && s.stripeStatus !== "canceled" && s.stripeStatus !== "incomplete_expired";

async function statesOf(db: Client, workspaceIds: string[], now: Date) {
  const [subs, windows, overrides] = await Promise.all([
    db.subscription.findMany({
      where: { workspaceId: { in: workspaceIds } },
      include: { plan: { include: { entitlements: true } }, workspace: { select: { name: true, slug: true } } },
    }),
    db.usageWindow.findMany({
      where: { workspaceId: { in: workspaceIds }, periodStart: { lte: now }, periodEnd: { gt: now } },
      select: { workspaceId: true, feature: true, quota: true },
    }),
    db.entitlementOverride.findMany({
      where: { workspaceId: { in: workspaceIds }, startsAt: { lte: now }, endsAt: { gt: now }, OR: [{ endedAt: null }, { endedAt: { gt: now } }] },
      orderBy: { createdAt: "asc" },
    }),
  ]);
  const out = new Map<string, { sub: SubState; windows: Map<string, Prisma.Decimal | null>; overrides: Map<string, OverrideInForce> }>();
  for (const sub of subs) out.set(sub.workspaceId, { sub: sub as SubState, windows: new Map(), overrides: new Map() });
  for (const w of windows) out.get(w.workspaceId)?.windows.set(w.feature, w.quota);
  for (const o of overrides) out.get(o.workspaceId)?.overrides.set(o.feature, o);
  return out;
}

const windowsRecord = (m: Map<string, Prisma.Decimal | null>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([f, q]) => [f, dec(q)]));

/** Previews moving each of these workspaces to `to` now, read in three queries whatever their number. */
export async function previewMoves(db: Client, workspaceIds: string[], to: PlanRow, now = new Date()): Promise<MovePreview[]> {
  const states = await statesOf(db, workspaceIds, now);
  const out: MovePreview[] = [];
  for (const id of workspaceIds) {
    const st = states.get(id);
    if (!st) continue;
    const { sub } = st;
    const stripeBacked = isStripeBacked(sub);
    const before = termsOf(sub.plan, sub.interval, st.overrides, windowsRecord(st.windows));
    // The windows open now after the move, by the rule onPlanChanged applies (overrides included).
    const afterWindows = new Map(st.windows);
    for (const [feature, quota] of st.windows) {
      const ent = to.entitlements.find((e) => e.feature === feature);
      if (!ent) continue;
      const o = st.overrides.get(feature);
      const limit = o ? o.limit : ent.limit;
      if (quotaChanges(quota, limit)) afterWindows.set(feature, limit);
    }
    const after = termsOf(to, sub.interval, st.overrides, windowsRecord(afterWindows));
    const notes: string[] = [];
    let blocked: string | null = null;
    const toPrice = priceOf(to, sub.interval);
    if (sub.plan.id === to.id) blocked = `Already on ${planLabel(to)}.`;
    else if (!to.active) blocked = `${planLabel(to)} is archived: it takes no new subscriptions.`;
    else if (stripeBacked) {
      const priceId = sub.interval === "year" ? to.stripeAnnualPriceId : to.stripeMonthlyPriceId;
      if (toPrice <= 0) blocked = `A paid subscription cannot move to a free version; cancel it instead.`;
      else if (!priceId) blocked = `${planLabel(to)} has no Stripe price yet (publish syncs it; the reconcile cron repairs it).`;
      else {
        const at = sub.currentPeriodEnd ? ` on ${sub.currentPeriodEnd.toISOString().slice(0, 10)}` : "";
        notes.push(`Stripe price changes now with no proration: nothing is charged or credited for this period; the renewal${at} bills ${formatMoney(toPrice, to.currency)} a ${sub.interval}.`);
      }
    } else if (sub.plan.key !== to.key && toPrice > 0) {
      blocked = `Without a paid subscription, this workspace moves only between versions of ${sub.plan.name}; a paid plan needs a checkout.`;
    } else {
      notes.push(sub.status === "trialing" ? "Trial continues on the new version; nothing is billed." : "No Stripe subscription: nothing is billed.");
    }
    if (sub.pendingPlanId) notes.push("A scheduled plan change at the period end stays booked and still happens.");
    if (sub.cancelAtPeriodEnd) notes.push("Cancels at the period end, as booked.");
    for (const o of st.overrides.values()) notes.push(`Override kept: ${o.feature} ${o.limit === null ? "unlimited" : o.limit.toFixed()} until ${o.endsAt.toISOString().slice(0, 10)}.`);
    out.push({ workspaceId: id, name: sub.workspace.name, slug: sub.workspace.slug, status: sub.status, stripeBacked, before, after, notes, blocked });
  }
  return out;
}


/** The workspace's terms as they stand now (after a move: what it did). */
export async function currentTerms(db: Client, workspaceId: string, now = new Date()): Promise<Terms> {
  const st = (await statesOf(db, [workspaceId], now)).get(workspaceId);
  if (!st) throw new AppError("not_found", "Workspace not found.");
  return termsOf(st.sub.plan, st.sub.interval, st.overrides, windowsRecord(st.windows));
}

export async function planWithEntitlements(db: Client, planId: string): Promise<PlanRow> {
  const plan = await db.plan.findUnique({ where: { id: planId }, include: { entitlements: true } });
  if (!plan) throw new AppError("not_found", "Plan version not found.", { field: "toPlanId" });
  return plan;
}

export type MoveOutcome =
  | { outcome: "moved"; before: Terms; after: Terms }
  | { outcome: "already"; after: Terms } // on the target already (an earlier run, or its webhook, got there first)
  | { outcome: "skipped"; reason: string }; // no longer on the source version, or the move is blocked

// A move may wait on one Stripe call and the sync's reads inside its transaction.
const MOVE_TX = { maxWait: 15_000, timeout: 60_000 } as const;

/**
 * Moves one workspace from `fromPlanId` to `toPlanId` now, as an operator, in one transaction: the
 * subscription row is locked, the plan-change trigger is told the operator and the reason ("operator"),
 * a Stripe-backed subscription changes price (lib/payments moveSubscriptionPrice) and is synced, any other
 * changes plan here; then quotas follow the plan's rule (onPlanChanged) and the audit log records it.
 * `within` runs in the same transaction (a migration records its item and cursor there), so the move and
 * its record commit together or not at all. Safe to repeat with the same `key`: a workspace already on the
 * target is reported, never moved twice.
 */
export async function moveWorkspace(
  db: PrismaClient,
  op: Operator,
  input: { workspaceId: string; fromPlanId: string; toPlanId: string; key: string; memo?: string | null; migrationId?: string; now?: Date },
  within?: (tx: Tx, outcome: MoveOutcome) => Promise<void>,
): Promise<MoveOutcome> {
  const now = input.now ?? new Date();
  const to = await planWithEntitlements(db, input.toPlanId);
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ planId: string }[]>`SELECT "planId" FROM "Subscription" WHERE "workspaceId" = ${input.workspaceId} FOR UPDATE`;
    if (!locked[0]) throw new AppError("not_found", "Workspace not found.");
    let outcome: MoveOutcome;
    if (locked[0].planId === to.id) outcome = { outcome: "already", after: await currentTerms(tx, input.workspaceId, now) };
    else if (locked[0].planId !== input.fromPlanId) outcome = { outcome: "skipped", reason: "No longer on the version being moved from." };
    else {
      // Archived since the move was asked (or since a migration started): read under the move's transaction.
      const { active } = await tx.plan.findUniqueOrThrow({ where: { id: to.id }, select: { active: true } });
      const [preview] = await previewMoves(tx, [input.workspaceId], { ...to, active }, now);
      if (preview!.blocked) outcome = { outcome: "skipped", reason: preview!.blocked };
      else outcome = { outcome: "moved", before: preview!.before, after: await applyMove(tx, op, input, preview!, to, now) };
    }
    if (outcome.outcome === "moved") {
      await recordAudit(tx, { kind: "operator", id: op.id, email: op.email }, {
        workspaceId: input.workspaceId, action: "plan.moved", subjectType: input.migrationId ? "plan_migration" : "subscription", subjectId: input.migrationId,
        memo: input.memo ?? null, before: outcome.before, after: outcome.after,
      });
    }
    if (within) await within(tx, outcome);
    return outcome;
  }, MOVE_TX);
}

async function applyMove(tx: Tx, op: Operator, input: { workspaceId: string; key: string }, preview: MovePreview, to: PlanRow, now: Date): Promise<Terms> {
  await asOperator(tx, op, "operator");
  if (preview.stripeBacked) {
    const sub = await tx.subscription.findUniqueOrThrow({ where: { workspaceId: input.workspaceId }, select: { stripeSubscriptionId: true, interval: true } });
    const priceId = (sub.interval === "year" ? to.stripeAnnualPriceId : to.stripeMonthlyPriceId)!;
    await moveSubscriptionPrice(tx, {
      workspaceId: input.workspaceId, subscriptionId: sub.stripeSubscriptionId!, priceId, key: input.key,
      metadata: { workspaceId: input.workspaceId, planKey: to.key, planVersion: String(to.version) },
    });
    const after = await tx.subscription.findUniqueOrThrow({ where: { workspaceId: input.workspaceId }, select: { planId: true } });
    if (after.planId !== to.id) throw new AppError("billing_unavailable", `Stripe did not report ${planLabel(to)} after the change; nothing was recorded. Try again.`);
  } else {
    await tx.subscription.update({ where: { workspaceId: input.workspaceId }, data: { planId: to.id } });
    await onPlanChanged(tx, { workspaceId: input.workspaceId, now });
  }
  return currentTerms(tx, input.workspaceId, now);
}
