import type { BillingOverview } from "./overview";

export type BillingAlert =
  | { kind: "quota_full"; feature: string; overflow: "block" | "extras" | "soft"; resetsAt: string | null; over: boolean }
  | { kind: "quota_near"; feature: string; percent: number; resetsAt: string | null }
  | { kind: "payment_action_required"; hostedUrl: string; amountCents: number; currency: string; upgradeTo: string | null; expiresAt: Date | null; degradedAt: Date | null }
  | { kind: "invoice_not_finalized"; message: string; createdAt: Date }
  | { kind: "extras_frozen"; units: string }
  | { kind: "past_due"; since: Date; degradedAt: Date; reason: string | null }
  | { kind: "degraded"; since: Date; unpaidAt: Date }
  | { kind: "unpaid" }
  | { kind: "extras_negative"; balance: string };

/**
 * What needs the owner's attention, most urgent first. Meters alert at 80% and 100% of their window. Gauges (seats,
 * projects) do not: one at its limit stops nothing in use, so it is said at its bar (levelWords, gaugeFullNote)
 * rather than above the page, where a new Free workspace's one seat, held by its owner, would greet everyone.
 */
export function billingAlerts(o: BillingOverview): BillingAlert[] {
  const alerts: BillingAlert[] = [];
  const action = o.attention.actionRequired;
  // A payment waiting for the customer's confirmation says so with its link; for a renewal it stands in for
  // the plain "payment failed" (confirming it is the way out), and carries the dunning date.
  if (action) alerts.push({ kind: "payment_action_required", ...action, degradedAt: !action.upgradeTo && o.status === "past_due" && o.dunning ? o.dunning.degradedAt : null });
  if (o.status === "unpaid") alerts.push({ kind: "unpaid" });
  if (o.status === "degraded" && o.dunning) alerts.push({ kind: "degraded", since: o.dunning.since, unpaidAt: o.dunning.unpaidAt });
  if (o.status === "past_due" && o.dunning && !(action && !action.upgradeTo)) alerts.push({ kind: "past_due", since: o.dunning.since, degradedAt: o.dunning.degradedAt, reason: o.attention.declineReason });
  for (const n of o.attention.notFinalized) alerts.push({ kind: "invoice_not_finalized", message: n.message, createdAt: n.createdAt });
  const meters = o.features.filter((f) => f.kind === "meter");
  for (const f of meters) {
    if (f.measure.level === "full") alerts.push({ kind: "quota_full", feature: f.feature, overflow: f.overflow, resetsAt: f.resetsAt, over: f.measure.over });
  }
  for (const f of meters) {
    if (f.measure.level === "warning") alerts.push({ kind: "quota_near", feature: f.feature, percent: f.measure.percent ?? 80, resetsAt: f.resetsAt });
  }
  if (o.extras.balance.startsWith("-")) alerts.push({ kind: "extras_negative", balance: o.extras.balance });
  if (o.attention.frozenUnits !== "0") alerts.push({ kind: "extras_frozen", units: o.attention.frozenUnits });
  return alerts;
}
