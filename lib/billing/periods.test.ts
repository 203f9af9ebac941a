import { describe, expect, it } from "vitest";
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
