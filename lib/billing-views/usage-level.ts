import { toDec } from "@/lib/billing/units";

export type UsageLevel = "unlimited" | "ok" | "warning" | "full";

export interface UsageMeasure {
  level: UsageLevel;
  /** Whole percent of the limit used, rounded down, capped at 100 for the bar (null when unlimited). */
  percent: number | null;
  /** True when usage went past the limit (soft overflow, or a limit lowered under existing use). */
  over: boolean;
}

/** Where usage stands against its limit: the 80% and 100% thresholds the engine notifies at. */
export function measureUsage(used: string, limit: string | null): UsageMeasure {
  if (limit === null) return { level: "unlimited", percent: null, over: false };
  const u = toDec(used);
  const l = toDec(limit);
  if (l.lte(0)) return { level: "full", percent: 100, over: u.gt(0) };
  const ratio = u.div(l);
  const percent = Math.min(100, Math.max(0, ratio.mul(100).floor().toNumber()));
  const level: UsageLevel = ratio.gte(1) ? "full" : ratio.gte("0.8") ? "warning" : "ok";
  return { level, percent, over: u.gt(l) };
}
