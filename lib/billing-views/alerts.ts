import type { BillingOverview } from "./overview";

export type BillingAlert =
  | { kind: "quota_full"; feature: string; overflow: "block" | "extras" | "soft"; resetsAt: string | null; over: boolean }
  | { kind: "quota_near"; feature: string; percent: number; resetsAt: string | null }
  | { kind: "past_due"; since: Date; degradedAt: Date }
  | { kind: "degraded"; since: Date; unpaidAt: Date }
  | { kind: "unpaid" }
  | { kind: "extras_negative"; balance: string };

/** What needs the owner's attention, most urgent first. Meters and gauges alert at 80% and 100% alike. */
export function billingAlerts(o: BillingOverview): BillingAlert[] {
  const alerts: BillingAlert[] = [];
  if (o.status === "unpaid") alerts.push({ kind: "unpaid" });
  if (o.status === "degraded" && o.dunning) alerts.push({ kind: "degraded", since: o.dunning.since, unpaidAt: o.dunning.unpaidAt });
  if (o.status === "past_due" && o.dunning) alerts.push({ kind: "past_due", since: o.dunning.since, degradedAt: o.dunning.degradedAt });
  for (const f of o.features) {
    if (f.measure.level === "full") alerts.push({ kind: "quota_full", feature: f.feature, overflow: f.overflow, resetsAt: f.resetsAt, over: f.measure.over });
  }
  for (const f of o.features) {
    if (f.measure.level === "warning") alerts.push({ kind: "quota_near", feature: f.feature, percent: f.measure.percent ?? 80, resetsAt: f.resetsAt });
  }
  if (o.extras.balance.startsWith("-")) alerts.push({ kind: "extras_negative", balance: o.extras.balance });
  return alerts;
}
