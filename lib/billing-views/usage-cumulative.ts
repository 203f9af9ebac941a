import { formatUnits, toDec } from "@/lib/billing/units";

/** One quota window (a feature's period) as the cumulative view needs it. */
export interface QuotaWindowSpan {
  id: string;
  periodStart: Date;
  periodEnd: Date;
  /** Exact decimal, or null for an unlimited feature. */
  quota: string | null;
}

/** Units of one window on one UTC day (YYYY-MM-DD), exact decimal. */
export interface WindowDayUnits {
  windowId: string;
  day: string;
  units: string;
}

export interface CumulativePoint {
  /** Units used since the start of the quota window in effect at the end of the day, extras included. */
  cumulative: string;
  /** That window's quota; null when no window covers the day (nothing used in that period) or it is unlimited. */
  quota: string | null;
}

const DAY_MS = 86_400_000;

/**
 * For each day, how much of the quota window in effect at the end of that day was used by then, next to
 * that window's quota. The running total starts again with each period, so a range that spans a reset
 * shows the drop, and units over the line are the ones extras paid for.
 */
export function cumulativeInWindows(days: string[], windows: QuotaWindowSpan[], rows: WindowDayUnits[]): CumulativePoint[] {
  return days.map((day) => {
    const dayEnd = Date.parse(`${day}T00:00:00.000Z`) + DAY_MS;
    const w = windows.find((x) => x.periodStart.getTime() < dayEnd && x.periodEnd.getTime() >= dayEnd);
    if (!w) return { cumulative: "0", quota: null };
    const sum = rows.filter((r) => r.windowId === w.id && r.day <= day).reduce((acc, r) => acc.add(toDec(r.units)), toDec(0));
    return { cumulative: formatUnits(sum), quota: w.quota === null ? null : formatUnits(w.quota) };
  });
}
