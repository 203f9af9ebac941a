import { toDec } from "@/lib/billing/units";
import { featureNoun } from "./format";

/**
 * "all_in_use" is a gauge (seats, projects) at its limit: the plan's size, not a blocked period. Nothing in use
 * stops and nothing resets; only adding one more waits for a release or an upgrade. A meter at its limit is "full":
 * work is refused (or paid from extras) until the window resets, which is why only meters raise alerts.
 */
export type UsageLevel = "unlimited" | "ok" | "warning" | "full" | "all_in_use";

export interface UsageMeasure {
  level: UsageLevel;
  /** Whole percent of the limit used, rounded down, capped at 100 for the bar (null when unlimited). */
  percent: number | null;
  /** True when usage went past the limit (soft overflow, or a limit lowered under existing use). */
  over: boolean;
}

/** Where usage stands against its limit: the 80% and 100% thresholds the engine notifies at. */
export function measureUsage(used: string, limit: string | null, kind: "meter" | "gauge" = "meter"): UsageMeasure {
  if (limit === null) return { level: "unlimited", percent: null, over: false };
  const u = toDec(used);
  const l = toDec(limit);
  const atLimit = kind === "gauge" ? "all_in_use" : "full";
  if (l.lte(0)) return { level: atLimit, percent: 100, over: u.gt(0) };
  const ratio = u.div(l);
  const percent = Math.min(100, Math.max(0, ratio.mul(100).floor().toNumber()));
  const level: UsageLevel = ratio.gte(1) ? atLimit : ratio.gte("0.8") ? "warning" : "ok";
  return { level, percent, over: u.gt(l) };
}

/** How a level looks: "danger" only where work is refused; the tone always travels with words (levelWords). */
export function levelTone(level: UsageLevel): "neutral" | "caution" | "danger" {
  return level === "full" ? "danger" : level === "warning" || level === "all_in_use" ? "caution" : "neutral";
}

/** The words a bar shows beside its percentage, so its state never rests on colour alone; null when nothing to say. */
export function levelWords(measure: UsageMeasure, kind: "meter" | "gauge"): string | null {
  switch (measure.level) {
    case "warning":
      return kind === "gauge" ? "Nearly all in use" : "Nearly used up";
    case "full":
      return "Limit reached";
    case "all_in_use":
      // A limit lowered under what is held (a downgrade with more members than seats) keeps everything held.
      return measure.over ? "Over the plan's limit" : "All in use";
    default:
      return null;
  }
}

/** What a gauge at its limit means for the next claim, said under its bar. */
export function gaugeFullNote(feature: string, used: string): string {
  if (feature === "seats") {
    // The owner's own seat cannot be given back, so a workspace of one has only the upgrade.
    return toDec(used).gt(1) ? "To add a member, remove one or upgrade the plan." : "To add a member, upgrade the plan.";
  }
  return `To add another ${featureNoun(feature, "1")}, release one or upgrade the plan.`;
}
