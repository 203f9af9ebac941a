import { describe, expect, it } from "vitest";
import { gaugeFullNote, levelTone, levelWords, measureUsage } from "./usage-level";

describe("usage levels", () => {
  it("keeps a meter's 80% and 100% thresholds: nearly used up, then limit reached in red", () => {
    expect(measureUsage("79.9", "100")).toEqual({ level: "ok", percent: 79, over: false });
    const near = measureUsage("85.5", "100", "meter");
    expect(near).toEqual({ level: "warning", percent: 85, over: false });
    expect([levelTone(near.level), levelWords(near, "meter")]).toEqual(["caution", "Nearly used up"]);
    const full = measureUsage("100", "100", "meter");
    expect(full).toEqual({ level: "full", percent: 100, over: false });
    expect([levelTone(full.level), levelWords(full, "meter")]).toEqual(["danger", "Limit reached"]);
    expect(measureUsage("3", "0", "meter").level).toBe("full");
  });

  it("calls a gauge at its limit all in use, in the caution tone, never the red of a refused window", () => {
    const seats = measureUsage("1", "1", "gauge");
    expect(seats).toEqual({ level: "all_in_use", percent: 100, over: false });
    expect([levelTone(seats.level), levelWords(seats, "gauge")]).toEqual(["caution", "All in use"]);
    expect(measureUsage("8", "10", "gauge").level).toBe("warning");
    expect(levelWords(measureUsage("8", "10", "gauge"), "gauge")).toBe("Nearly all in use");
    expect(measureUsage("2", "3", "gauge").level).toBe("ok");
  });

  it("says so when a lowered limit leaves more held than the plan includes", () => {
    const over = measureUsage("3", "1", "gauge");
    expect(over).toEqual({ level: "all_in_use", percent: 100, over: true });
    expect(levelWords(over, "gauge")).toBe("Over the plan's limit");
  });

  it("has nothing to say below 80% or without a limit", () => {
    expect(levelWords(measureUsage("1", "10", "gauge"), "gauge")).toBeNull();
    const unlimited = measureUsage("12", null, "gauge");
    expect(unlimited).toEqual({ level: "unlimited", percent: null, over: false });
    expect([levelTone(unlimited.level), levelWords(unlimited, "gauge")]).toEqual(["neutral", null]);
  });

  it("tells what adding one more takes: a workspace of one cannot give its owner's seat back", () => {
    expect(gaugeFullNote("seats", "1")).toBe("To add a member, upgrade the plan.");
    expect(gaugeFullNote("seats", "3")).toBe("To add a member, remove one or upgrade the plan.");
    expect(gaugeFullNote("projects", "1")).toBe("To add another project, release one or upgrade the plan.");
  });
});
