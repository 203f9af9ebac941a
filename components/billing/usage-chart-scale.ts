// What the server-drawn usage chart and its interactive version share, so the two look the same.
import { formatShortDay } from "@/lib/format";
import { groupDigits } from "@/lib/billing-views/format";

/** One day of a feature's chart; amounts stay exact decimal strings for the words, numbers only for drawing. */
export interface UsagePoint {
  day: string;
  /** Units used that day. */
  daily: string;
  /** Units used so far in that day's quota window, extras included. */
  cumulative: string;
  quota: string | null;
}

export interface ChartModel {
  feature: string;
  noun: string;
  points: UsagePoint[];
  /** The axis maximum: a round number at or above the largest running total and quota. */
  top: number;
}

export const CHART_HEIGHT = 224;
export const Y_AXIS_WIDTH = 44;

/** A round axis maximum at or above the largest value, so the scale reads at a glance. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * pow >= max)!;
  return step * pow;
}

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** Axis labels that always fit their column: "950", "20K", "1.5M". */
export function axisLabel(n: number): string {
  return Math.abs(n) < 10_000 ? groupDigits(String(+n.toFixed(2))) : compact.format(n);
}

export const dayLabel = (day: string) => formatShortDay(day);

export function chartModel(feature: string, noun: string, days: string[], totals: string[], cumulative: string[], quota: (string | null)[]): ChartModel {
  const points = days.map((day, i) => ({ day, daily: totals[i]!, cumulative: cumulative[i]!, quota: quota[i] ?? null }));
  const peak = Math.max(0, ...points.map((p) => Number(p.cumulative)), ...points.map((p) => (p.quota === null ? 0 : Number(p.quota))));
  return { feature, noun, points, top: niceMax(peak) };
}

/** The tooltip's lines for one day, shared by the hover tooltip and the static chart's per-day titles. */
export function pointLines(p: UsagePoint, noun: string): string[] {
  const lines = [`${groupDigits(p.daily)} ${noun} that day`, `${groupDigits(p.cumulative)} so far this period`];
  if (p.quota !== null) lines.push(`Quota ${groupDigits(p.quota)}`);
  return lines;
}
