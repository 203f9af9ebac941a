import { describe, expect, it } from "vitest";
import { addInterval } from "@tally/stripe-emulator";
import { LIFETIME_END, addMonthsClamped, windowBounds } from "./periods";

const iso = (b: { start: Date; end: Date }) => [b.start.toISOString(), b.end.toISOString()];
const at = (s: string) => new Date(s);

describe("windowBounds", () => {
  it("day: the UTC day", () => {
    expect(iso(windowBounds("day", at("2026-11-18T23:59:59.999Z")))).toEqual(["2026-11-18T00:00:00.000Z", "2026-11-19T00:00:00.000Z"]);
  });

  it("week without an anchor: ISO weeks from Monday 00:00 UTC", () => {
    expect(iso(windowBounds("week", at("2026-11-18T12:00:00Z")))).toEqual(["2026-11-16T00:00:00.000Z", "2026-11-23T00:00:00.000Z"]);
    expect(iso(windowBounds("week", at("2026-11-16T00:00:00Z")))).toEqual(["2026-11-16T00:00:00.000Z", "2026-11-23T00:00:00.000Z"]);
    expect(iso(windowBounds("week", at("2026-11-15T23:59:59.999Z")))).toEqual(["2026-11-09T00:00:00.000Z", "2026-11-16T00:00:00.000Z"]);
    expect(iso(windowBounds("week", at("2027-01-01T00:00:00Z")))).toEqual(["2026-12-28T00:00:00.000Z", "2027-01-04T00:00:00.000Z"]);
  });

  it("week with an anchor: 7-day steps from the current period's start, else the cycle anchor", () => {
    const current = { currentPeriodStart: at("2026-11-03T15:30:00Z"), periodAnchor: at("2026-01-03T15:30:00Z") };
    expect(iso(windowBounds("week", at("2026-11-18T12:00:00Z"), current))).toEqual(["2026-11-17T15:30:00.000Z", "2026-11-24T15:30:00.000Z"]);
    expect(iso(windowBounds("week", at("2026-11-03T15:29:59.999Z"), current))).toEqual(["2026-10-27T15:30:00.000Z", "2026-11-03T15:30:00.000Z"]);
    expect(iso(windowBounds("week", at("2026-01-05T00:00:00Z"), { periodAnchor: at("2026-01-03T15:30:00Z") }))).toEqual([
      "2026-01-03T15:30:00.000Z",
      "2026-01-10T15:30:00.000Z",
    ]);
  });

  it("month: calendar months without an anchor, anchored months clamped to short months with one", () => {
    expect(iso(windowBounds("month", at("2026-02-14T00:00:00Z")))).toEqual(["2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"]);
    const anchor = { periodAnchor: at("2026-01-31T10:00:00Z") };
    expect(iso(windowBounds("month", at("2026-02-15T00:00:00Z"), anchor))).toEqual(["2026-01-31T10:00:00.000Z", "2026-02-28T10:00:00.000Z"]);
    expect(iso(windowBounds("month", at("2026-03-01T00:00:00Z"), anchor))).toEqual(["2026-02-28T10:00:00.000Z", "2026-03-31T10:00:00.000Z"]);
    expect(iso(windowBounds("month", at("2028-02-29T12:00:00Z"), anchor))).toEqual(["2028-02-29T10:00:00.000Z", "2028-03-31T10:00:00.000Z"]);
    expect(addMonthsClamped(at("2026-10-31T00:00:00Z"), 1).toISOString()).toBe("2026-11-30T00:00:00.000Z");
  });

  it("billing_period: the subscription's current period while it holds now, else months from the anchor", () => {
    const sub = { currentPeriodStart: at("2026-11-05T08:00:00Z"), currentPeriodEnd: at("2026-12-05T08:00:00Z") };
    expect(iso(windowBounds("billing_period", at("2026-11-18T00:00:00Z"), sub))).toEqual(["2026-11-05T08:00:00.000Z", "2026-12-05T08:00:00.000Z"]);
    // The renewal has not been mirrored yet: continue monthly from the last known start.
    expect(iso(windowBounds("billing_period", at("2026-12-06T00:00:00Z"), sub))).toEqual(["2026-12-05T08:00:00.000Z", "2027-01-05T08:00:00.000Z"]);
    expect(iso(windowBounds("billing_period", at("2026-11-18T00:00:00Z")))).toEqual(["2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"]);
  });

  it("lifetime: one window that never ends", () => {
    const b = windowBounds("lifetime", at("2026-11-18T00:00:00Z"));
    expect(b.end).toEqual(LIFETIME_END);
    expect(b.start.getTime()).toBe(0);
  });
});

// Stripe's own period boundaries, as the repository's Stripe emulator computes them (anchor + k intervals,
// day clamped to the month): an independent statement of the rule the windows must follow.
const stripeBoundary = (anchor: Date, interval: "month" | "year", k: number) => new Date(addInterval(anchor.getTime() / 1000, interval, k) * 1000);
const HOUR = 3_600_000;

describe("month windows follow the billing cycle anchor, not the clamped period start", () => {
  // Anchors on the 28th to the 31st, through February (also a leap one) and the 30-day months.
  const anchors = ["2026-01-28T10:00:00Z", "2026-01-29T10:00:00Z", "2026-01-30T10:00:00Z", "2026-01-31T10:00:00Z", "2027-12-31T23:30:00Z"].map(at);

  it("anchor on the 31st: Feb 28, Mar 31, Apr 30, May 31, as Stripe bills", () => {
    const anchor = at("2026-01-31T10:00:00Z");
    const sub = { periodAnchor: anchor, currentPeriodStart: at("2026-02-28T10:00:00Z"), currentPeriodEnd: at("2026-03-31T10:00:00Z") };
    expect(iso(windowBounds("month", at("2026-03-29T00:00:00Z"), sub))).toEqual(["2026-02-28T10:00:00.000Z", "2026-03-31T10:00:00.000Z"]);
    const april = { ...sub, currentPeriodStart: at("2026-03-31T10:00:00Z"), currentPeriodEnd: at("2026-04-30T10:00:00Z") };
    expect(iso(windowBounds("month", at("2026-04-01T00:00:00Z"), april))).toEqual(["2026-03-31T10:00:00.000Z", "2026-04-30T10:00:00.000Z"]);
    expect(iso(windowBounds("month", at("2026-05-30T00:00:00Z"), { ...april, currentPeriodStart: at("2026-04-30T10:00:00Z") }))).toEqual([
      "2026-04-30T10:00:00.000Z",
      "2026-05-31T10:00:00.000Z",
    ]);
  });

  for (const anchor of anchors) {
    it(`anchor ${anchor.toISOString()}: every window is exactly Stripe's period, whatever period the subscription shows`, () => {
      for (let k = 0; k < 26; k++) {
        const start = stripeBoundary(anchor, "month", k);
        const end = stripeBoundary(anchor, "month", k + 1);
        // The subscription as Stripe shows it during this period, and as it still shows it when the renewal is late.
        const current = { periodAnchor: anchor, currentPeriodStart: start, currentPeriodEnd: end, interval: "month" as const };
        const previous = { periodAnchor: anchor, currentPeriodStart: stripeBoundary(anchor, "month", k - 1), currentPeriodEnd: start, interval: "month" as const };
        for (let t = start.getTime(); t < end.getTime(); t += 7 * HOUR) {
          for (const sub of [current, previous]) {
            // No window shorter than the month it stands for, none overlapping the next: the bounds are the period's.
            expect(iso(windowBounds("month", new Date(t), sub))).toEqual([start.toISOString(), end.toISOString()]);
            // A billing_period renewal that is not mirrored yet falls on Stripe's real next period too.
            expect(iso(windowBounds("billing_period", new Date(t), sub))).toEqual([start.toISOString(), end.toISOString()]);
          }
        }
        expect(iso(windowBounds("month", new Date(end.getTime() - 1), current))).toEqual([start.toISOString(), end.toISOString()]);
      }
    });
  }

  it("billing_period of an annual subscription: a renewal not mirrored yet falls in the next year-long period", () => {
    const anchor = at("2024-02-29T12:00:00Z");
    const sub = { periodAnchor: anchor, currentPeriodStart: at("2025-02-28T12:00:00Z"), currentPeriodEnd: at("2026-02-28T12:00:00Z"), interval: "year" as const };
    expect(iso(windowBounds("billing_period", at("2026-03-15T00:00:00Z"), sub))).toEqual(["2026-02-28T12:00:00.000Z", "2027-02-28T12:00:00.000Z"]);
    expect(iso(windowBounds("billing_period", at("2028-02-29T12:00:00Z"), sub))).toEqual(["2028-02-29T12:00:00.000Z", "2029-02-28T12:00:00.000Z"]);
    for (let k = 0; k < 6; k++) {
      const b = windowBounds("billing_period", new Date(stripeBoundary(anchor, "year", k).getTime() + HOUR), sub);
      expect(iso(b)).toEqual([stripeBoundary(anchor, "year", k).toISOString(), stripeBoundary(anchor, "year", k + 1).toISOString()]);
    }
  });

  it("week windows still restart at the current period's start (7-day steps, the last one cut by the next period)", () => {
    const sub = { periodAnchor: at("2026-01-31T10:00:00Z"), currentPeriodStart: at("2026-03-31T10:00:00Z"), currentPeriodEnd: at("2026-04-30T10:00:00Z") };
    expect(iso(windowBounds("week", at("2026-04-01T00:00:00Z"), sub))).toEqual(["2026-03-31T10:00:00.000Z", "2026-04-07T10:00:00.000Z"]);
  });
});
