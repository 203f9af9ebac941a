import { describe, expect, it } from "vitest";
import { isCalendarDate, isCalendarTime, parseUtcDateTime } from "./dates";

describe("dates", () => {
  it("knows the calendar: month lengths and leap years", () => {
    expect(isCalendarDate(2026, 2, 28)).toBe(true);
    expect(isCalendarDate(2026, 2, 29)).toBe(false);
    expect(isCalendarDate(2028, 2, 29)).toBe(true);
    expect(isCalendarDate(2100, 2, 29)).toBe(false);
    expect(isCalendarDate(2000, 2, 29)).toBe(true);
    expect(isCalendarDate(2026, 4, 31)).toBe(false);
    expect(isCalendarDate(2026, 12, 31)).toBe(true);
    expect(isCalendarDate(2026, 13, 1)).toBe(false);
    expect(isCalendarDate(2026, 0, 1)).toBe(false);
    expect(isCalendarDate(2026, 1, 0)).toBe(false);
  });

  it("refuses times JavaScript would roll over", () => {
    expect(isCalendarTime("2026-11-30T23:59:59Z")).toBe(true);
    expect(isCalendarTime("2026-11-31T12:00:00Z")).toBe(false);
    expect(isCalendarTime("2026-12-01T24:00:00Z")).toBe(false);
    expect(isCalendarTime("2026-11-30t24:00:00z")).toBe(false);
    expect(isCalendarTime("2026-12-01T12:60:00Z")).toBe(false);
    expect(isCalendarTime("2026-12-01T12:00:60Z")).toBe(false);
  });

  it("reads the console's UTC days and minutes, and nothing that is not one", () => {
    expect(parseUtcDateTime("2026-12-01")?.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(parseUtcDateTime("2026-12-01T09:30")?.toISOString()).toBe("2026-12-01T09:30:00.000Z");
    for (const bad of ["2026-02-31", "2026-02-29", "2026-13-01", "2026-12-01T24:00", "2026-12-1", "12/01/2026", ""]) expect(parseUtcDateTime(bad), bad).toBeNull();
  });
});
