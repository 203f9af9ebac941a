import type { Recurring } from "./types";

export const DAY = 86_400;
export const HOUR = 3_600;

/** Adds calendar units in UTC, clamping to the month's last day like Stripe's billing anchors. */
export function addInterval(t: number, interval: Recurring["interval"], count: number): number {
  if (interval === "day") return t + count * DAY;
  if (interval === "week") return t + count * 7 * DAY;
  const d = new Date(t * 1000);
  const months = interval === "month" ? count : count * 12;
  const day = d.getUTCDate();
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return Math.floor(target.getTime() / 1000);
}

/** The first period boundary after `after`, counted from the billing cycle anchor. */
export function nextBoundary(anchor: number, recurring: Pick<Recurring, "interval" | "interval_count">, after: number): number {
  for (let k = 1; k < 10_000; k++) {
    const t = addInterval(anchor, recurring.interval, k * recurring.interval_count);
    if (t > after) return t;
  }
  throw new Error("billing anchor too far in the past");
}
