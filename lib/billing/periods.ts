// Window boundaries per entitlement period. Pure: all times are UTC instants.

export type Period = "day" | "week" | "month" | "billing_period" | "lifetime";

export interface PeriodAnchor {
  /** The subscription's current billing period, when known (mirrored from Stripe). */
  currentPeriodStart?: Date | null;
  currentPeriodEnd?: Date | null;
  /** The subscription's billing cycle anchor. */
  periodAnchor?: Date | null;
}

export interface Bounds {
  start: Date;
  end: Date;
}

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** Lifetime windows (gauges) never end; this is their end, and answers show it as "never resets". */
export const LIFETIME_START = new Date("1970-01-01T00:00:00.000Z");
export const LIFETIME_END = new Date("9999-12-31T00:00:00.000Z");

export const isLifetimeEnd = (d: Date): boolean => d.getTime() >= LIFETIME_END.getTime();

/**
 * The window of `period` that holds `now`.
 * - day: the UTC day.
 * - week: 7-day steps from the anchor (the current billing period's start, else the cycle anchor),
 *   so a new billing period restarts the weeks; ISO weeks (Monday 00:00 UTC) without an anchor.
 * - month: monthly steps from the anchor, the day clamped to short months as Stripe does; calendar months without one.
 * - billing_period: the subscription's current period when it holds now, else monthly steps as above.
 * - lifetime: one window forever.
 */
export function windowBounds(period: Period, now: Date, anchor: PeriodAnchor = {}): Bounds {
  const t = now.getTime();
  const a = anchor.currentPeriodStart ?? anchor.periodAnchor ?? null;
  switch (period) {
    case "day": {
      const start = Math.floor(t / DAY) * DAY;
      return { start: new Date(start), end: new Date(start + DAY) };
    }
    case "week": {
      // 1970-01-05 was a Monday: ISO weeks are 7-day steps from it.
      const base = a ? a.getTime() : Date.UTC(1970, 0, 5);
      const k = Math.floor((t - base) / WEEK);
      const start = base + k * WEEK;
      return { start: new Date(start), end: new Date(start + WEEK) };
    }
    case "month":
      return a ? anchoredMonth(a, now) : calendarMonth(now);
    case "billing_period": {
      const s = anchor.currentPeriodStart;
      const e = anchor.currentPeriodEnd;
      if (s && e && s.getTime() <= t && t < e.getTime()) return { start: s, end: e };
      return a ? anchoredMonth(a, now) : calendarMonth(now);
    }
    case "lifetime":
      return { start: LIFETIME_START, end: LIFETIME_END };
  }
}

function calendarMonth(now: Date): Bounds {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
}

/** The anchor moved by `months` months, its day of month clamped (Jan 31 + 1 month = Feb 28/29). */
export function addMonthsClamped(anchor: Date, months: number): Date {
  const y = anchor.getUTCFullYear();
  const m = anchor.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = Math.min(anchor.getUTCDate(), lastDay);
  return new Date(Date.UTC(y, m, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()));
}

function anchoredMonth(anchor: Date, now: Date): Bounds {
  let k = (now.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (now.getUTCMonth() - anchor.getUTCMonth());
  // The estimate is off by at most one step either way (day of month and time of day).
  while (addMonthsClamped(anchor, k).getTime() > now.getTime()) k--;
  while (addMonthsClamped(anchor, k + 1).getTime() <= now.getTime()) k++;
  return { start: addMonthsClamped(anchor, k), end: addMonthsClamped(anchor, k + 1) };
}
