import type { Client } from "@/lib/db";
import { limitations, overridesInForce, type EntitlementUsage, type Limitations } from "@/lib/billing";
import { formatUnits, toDec } from "@/lib/billing/units";
import { MAIN_METER } from "./first-run";
import { measureUsage, type UsageMeasure } from "./usage-level";

// Dunning steps (DESIGN.md): past_due at the first failure, degraded after 7 days, unpaid after 14.
const DEGRADED_AFTER_DAYS = 7;
const UNPAID_AFTER_DAYS = 14;

export interface FeatureUsage extends EntitlementUsage {
  measure: UsageMeasure;
  /** Units of this window's events that extras paid for, beyond the quota (drawn as the bar's second segment). */
  fromExtras: string;
}


export interface BillingOverview {
  plan: Limitations["plan"];
  status: string;
  interval: "month" | "year";
  trialEndsAt: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  pendingChange: { planName: string; interval: "month" | "year" | null; at: Date | null } | null;
  dunning: { since: Date; degradedAt: Date; unpaidAt: Date } | null;
  /** Open invoices waiting on the customer, and invoices Stripe could not issue (see billingAttention). */
  attention: BillingAttention;
  features: FeatureUsage[];
  /** Limits agreed for this workspace on top of its plan (an operator's override), until their end dates. */
  overrides: { feature: string; limit: string | null; endsAt: Date }[];
  extras: { balance: string; usable: string; expiringSoon: { lotId: string; remaining: string; expiresAt: Date }[]; expiringSoonTotal: string };
}

const addDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);

/** Everything the billing overview shows, read from the engine's limitations plus the subscription's schedule. */
export async function billingOverview(db: Client, workspaceId: string, now = new Date()): Promise<BillingOverview> {
  const [lim, sub, overrides] = await Promise.all([
    limitations(db, workspaceId, now),
    db.subscription.findUnique({
      where: { workspaceId },
      select: { interval: true, cancelAtPeriodEnd: true, pendingChangeAt: true, pendingInterval: true, pastDueSince: true, pendingPlan: { select: { name: true } } },
    }),
    overridesInForce(db, workspaceId, now),
  ]);
  const [attention, fromExtras] = await Promise.all([billingAttention(db, workspaceId), extrasByFeature(db, workspaceId, now)]);
  const since = sub?.pastDueSince ?? null;
  const expiringSoon = lim.extras.expiringSoon
    .map((l) => ({ lotId: l.lotId, remaining: l.remaining, expiresAt: new Date(l.expiresAt) }))
    .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime());
  return {
    plan: lim.plan,
    status: lim.status,
    interval: sub?.interval ?? "month",
    trialEndsAt: lim.trialEndsAt ? new Date(lim.trialEndsAt) : null,
    currentPeriodEnd: lim.currentPeriodEnd ? new Date(lim.currentPeriodEnd) : null,
    cancelAtPeriodEnd: sub?.cancelAtPeriodEnd ?? false,
    pendingChange: sub?.pendingPlan ? { planName: sub.pendingPlan.name, interval: sub.pendingInterval, at: sub.pendingChangeAt } : null,
    dunning: since ? { since, degradedAt: addDays(since, DEGRADED_AFTER_DAYS), unpaidAt: addDays(since, UNPAID_AFTER_DAYS) } : null,
    attention,
    features: mainMeterFirst(lim.entitlements).map((e) => ({ ...e, measure: measureUsage(e.used, e.limit, e.kind), fromExtras: fromExtras.get(e.feature) ?? "0" })),
    overrides: [...overrides.values()].map((o) => ({ feature: o.feature, limit: o.limit === null ? null : o.limit.toFixed(), endsAt: o.endsAt })),
    extras: {
      balance: lim.extras.balance,
      usable: lim.extras.usable,
      expiringSoon,
      expiringSoonTotal: expiringSoon.reduce((sum, l) => sum.add(toDec(l.remaining)), toDec(0)).toFixed(),
    },
  };
}

/** The main meter (compute, the pooled unit) first; the others keep the plan's order. */
function mainMeterFirst<T extends { feature: string }>(items: T[]): T[] {
  return [...items.filter((e) => e.feature === MAIN_METER), ...items.filter((e) => e.feature !== MAIN_METER)];
}

/** Per feature, the units extras paid for in the current window (events' extras parts; they equal their debits). */
async function extrasByFeature(db: Client, workspaceId: string, now: Date): Promise<Map<string, string>> {
  const windows = await db.usageWindow.findMany({ where: { workspaceId, periodStart: { lte: now }, periodEnd: { gt: now } }, select: { id: true, feature: true } });
  if (windows.length === 0) return new Map();
  const sums = await db.usageEvent.groupBy({ by: ["windowId"], where: { workspaceId, windowId: { in: windows.map((w) => w.id) }, extrasUnits: { gt: 0 } }, _sum: { extrasUnits: true } });
  const byWindow = new Map(sums.map((r) => [r.windowId, r._sum.extrasUnits]));
  return new Map(windows.map((w) => [w.feature, formatUnits(byWindow.get(w.id) ?? "0")]));
}

export interface BillingAttention {
  /** The newest open invoice whose payment waits for the customer's confirmation (3-D Secure), with its link. */
  actionRequired: { hostedUrl: string; amountCents: number; currency: string; billingReason: string | null; upgradeTo: string | null; expiresAt: Date | null } | null;
  /** Why the newest open invoice's payment failed, in words (e.g. "insufficient funds on the card"). */
  declineReason: string | null;
  /** Invoices Stripe could not finalise (not issued, nothing charged), newest first. */
  notFinalized: { message: string; createdAt: Date }[];
  /** Units frozen by disputes not settled yet. */
  frozenUnits: string;
}

/** What the billing overview must say about payments beyond the plan's status: read from the mirrored invoices and disputes. */
export async function billingAttention(db: Client, workspaceId: string): Promise<BillingAttention> {
  const [open, drafts, sub, disputes] = await Promise.all([
    db.invoice.findMany({
      where: { workspaceId, status: "open", paymentIssue: { not: null } },
      orderBy: { createdAt: "desc" },
      take: 5,
      select: { hostedUrl: true, amountDueCents: true, currency: true, billingReason: true, paymentIssue: true, paymentError: true },
    }),
    db.invoice.findMany({ where: { workspaceId, status: "draft", finalizationError: { not: null } }, orderBy: { createdAt: "desc" }, take: 3, select: { finalizationError: true, createdAt: true } }),
    db.subscription.findUnique({ where: { workspaceId }, select: { pendingUpdateExpiresAt: true, pendingUpdatePlan: { select: { name: true } } } }),
    db.dispute.findMany({ where: { workspaceId, closedAt: null }, select: { frozenUnits: true } }),
  ]);
  const waiting = open.find((i) => i.paymentIssue === "requires_action" && i.hostedUrl);
  const upgrade = waiting?.billingReason === "subscription_update" ? (sub?.pendingUpdatePlan?.name ?? null) : null;
  return {
    actionRequired: waiting
      ? { hostedUrl: waiting.hostedUrl!, amountCents: waiting.amountDueCents, currency: waiting.currency, billingReason: waiting.billingReason, upgradeTo: upgrade, expiresAt: upgrade ? (sub?.pendingUpdateExpiresAt ?? null) : null }
      : null,
    declineReason: open.find((i) => i.paymentIssue === "declined")?.paymentError ?? null,
    notFinalized: drafts.map((d) => ({ message: d.finalizationError!, createdAt: d.createdAt })),
    frozenUnits: disputes.reduce((sum, d) => sum.add(toDec(d.frozenUnits)), toDec(0)).toFixed(),
  };
}
