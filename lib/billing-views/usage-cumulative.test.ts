import { describe, expect, it } from "vitest";
import { cumulativeInWindows } from "./usage-cumulative";

const days = ["2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"];
const november = { id: "nov", periodStart: new Date("2026-11-01T00:00:00Z"), periodEnd: new Date("2026-12-01T00:00:00Z"), quota: "100" };
const december = { id: "dec", periodStart: new Date("2026-12-01T00:00:00Z"), periodEnd: new Date("2027-01-01T00:00:00Z"), quota: "1000" };

describe("cumulative usage per quota window", () => {
  it("runs up within a period, counts what the period used before the range, and starts again at the reset", () => {
    const rows = [
      { windowId: "nov", day: "", units: "40" }, // used in November before the range
      { windowId: "nov", day: "2026-11-28", units: "0.1" },
      { windowId: "nov", day: "2026-11-30", units: "65.2" },
      { windowId: "dec", day: "2026-12-01", units: "3" },
      { windowId: "dec", day: "2026-12-02", units: "0.000001" },
    ];
    expect(cumulativeInWindows(days, [november, december], rows)).toEqual([
      { cumulative: "40.1", quota: "100" },
      { cumulative: "40.1", quota: "100" },
      { cumulative: "105.3", quota: "100" }, // over the line: extras paid for 5.3
      { cumulative: "3", quota: "1000" },
      { cumulative: "3.000001", quota: "1000" },
    ]);
  });

  it("says nothing used and no quota on days no window covers, and null for an unlimited one", () => {
    const unlimited = { ...december, quota: null };
    expect(cumulativeInWindows(days, [unlimited], [{ windowId: "dec", day: "2026-12-02", units: "7" }])).toEqual([
      { cumulative: "0", quota: null },
      { cumulative: "0", quota: null },
      { cumulative: "0", quota: null },
      { cumulative: "0", quota: null },
      { cumulative: "7", quota: null },
    ]);
  });
});
