// Window boundaries per entitlement period. Pure: all times are UTC instants.

export type Period = "day" | "week" | "month" | "billing_period" | "lifetime";

export interface PeriodAnchor {
  /** The subscription's current billing period, when known (mirrored from Stripe). */
  currentPeriodStart?: Date | null;
  currentPeriodEnd?: Date | null;
  /** The subscription's billing cycle anchor (Stripe's billing_cycle_anchor): every period boundary is a whole number of intervals from it. */
  periodAnchor?: Date | null;
  /** The subscription's billing interval (month when unknown). */
  interval?: "month" | "year" | null;
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
 * - week: 7-day steps from the current billing period's start, else the cycle anchor, so a new billing
 *   period restarts the weeks; ISO weeks (Monday 00:00 UTC) without either.
 * - month: monthly steps from the billing cycle anchor, its day clamped to short months as Stripe does
 *   (anchor Jan 31: Feb 28, Mar 31, Apr 30). Never from the current period's start: that start is already
 *   clamped (Feb 28), and stepping from it would end the next window on the 28th while Stripe's period runs
 *   to the 31st. From the current period's start only when no anchor is known; calendar months without either.
 * - billing_period: the subscription's current period while it holds now; else Stripe's own rule for the
 *   periods around it, steps of the billing interval (a month or a year) from the cycle anchor (else from
 *   the current period's start), so a renewal not mirrored yet falls where Stripe will start it;
 *   calendar months without either.
 * - lifetime: one window forever.
 */
export function windowBounds(period: Period, now: Date, anchor: PeriodAnchor = {}): Bounds {
  const t = now.getTime();
  switch (period) {
    case "day": {
      const start = Math.floor(t / DAY) * DAY;
      return { start: new Date(start), end: new Date(start + DAY) };
    }
    case "week": {
      const a = anchor.currentPeriodStart ?? anchor.periodAnchor ?? null;
      // 1970-01-05 was a Monday: ISO weeks are 7-day steps from it.
      const base = a ? a.getTime() : Date.UTC(1970, 0, 5);
      const k = Math.floor((t - base) / WEEK);
      const start = base + k * WEEK;
      return { start: new Date(start), end: new Date(start + WEEK) };
    }
    case "month": {
      const a = anchor.periodAnchor ?? anchor.currentPeriodStart ?? null;
      return a ? anchoredSteps(a, 1, now) : calendarMonth(now);
    }
    case "billing_period": {
      const s = anchor.currentPeriodStart;
      const e = anchor.currentPeriodEnd;
      if (s && e && s.getTime() <= t && t < e.getTime()) return { start: s, end: e };
      const a = anchor.periodAnchor ?? s ?? null;
      return a ? anchoredSteps(a, anchor.interval === "year" ? 12 : 1, now) : calendarMonth(now);
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

/** The step of `months` months from `anchor` (each boundary clamped to its month) that holds `now`. */
function anchoredSteps(anchor: Date, months: number, now: Date): Bounds {
  const monthsApart = (now.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (now.getUTCMonth() - anchor.getUTCMonth());
  let k = Math.floor(monthsApart / months);
  // The estimate is off by at most one step either way (day of month and time of day).
  while (addMonthsClamped(anchor, k * months).getTime() > now.getTime()) k--;
  while (addMonthsClamped(anchor, (k + 1) * months).getTime() <= now.getTime()) k++;
  return { start: addMonthsClamped(anchor, k * months), end: addMonthsClamped(anchor, (k + 1) * months) };
}
