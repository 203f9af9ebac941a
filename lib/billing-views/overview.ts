import type { Client } from "@/lib/billing/client";
import { limitations, type EntitlementUsage, type Limitations } from "@/lib/billing";
import { toDec } from "@/lib/billing/units";
import { measureUsage, type UsageMeasure } from "./usage-level";

// Dunning steps (DESIGN.md): past_due at the first failure, degraded after 7 days, unpaid after 14.
const DEGRADED_AFTER_DAYS = 7;
const UNPAID_AFTER_DAYS = 14;

export interface FeatureUsage extends EntitlementUsage {
  measure: UsageMeasure;
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
  features: FeatureUsage[];
  extras: { balance: string; usable: string; expiringSoon: { lotId: string; remaining: string; expiresAt: Date }[]; expiringSoonTotal: string };
}

const addDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);

/** Everything the billing overview shows, read from the engine's limitations plus the subscription's schedule. */
export async function billingOverview(db: Client, workspaceId: string, now = new Date()): Promise<BillingOverview> {
  const [lim, sub] = await Promise.all([
    limitations(db, workspaceId, now),
    db.subscription.findUnique({
      where: { workspaceId },
      select: { interval: true, cancelAtPeriodEnd: true, pendingChangeAt: true, pendingInterval: true, pastDueSince: true, pendingPlan: { select: { name: true } } },
    }),
  ]);
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
    features: lim.entitlements.map((e) => ({ ...e, measure: measureUsage(e.used, e.limit) })),
    extras: {
      balance: lim.extras.balance,
      usable: lim.extras.usable,
      expiringSoon,
      expiringSoonTotal: expiringSoon.reduce((sum, l) => sum.add(toDec(l.remaining)), toDec(0)).toFixed(),
    },
  };
}
