// The soak's serial-history check on its own: it must pass a history the books back and catch one they do not.
import { describe, expect, it } from "vitest";
import { Prisma } from "@/lib/generated/prisma/client";
import { serialHistory } from "./compare";

const d = (x: string) => new Prisma.Decimal(x);
const run = (events: { key: string; quotaUnits: string; remaining: number }[]) => {
  const found: string[] = [];
  serialHistory("w", d("10"), events.map((e) => ({ ...e, quotaUnits: d(e.quotaUnits) })), (what) => found.push(what));
  return found;
};

describe("soak serial history", () => {
  it("accepts answers that raise the counter one after another, in any arrival order, up to the quota", () => {
    expect(run([{ key: "b", quotaUnits: "2.5", remaining: 4.5 }, { key: "a", quotaUnits: "3", remaining: 7 }, { key: "c", quotaUnits: "4.5", remaining: 0 }])).toEqual([]);
  });

  it("catches two answers that claim the same counter (a lost update) and a gap (units counted twice)", () => {
    expect(run([{ key: "a", quotaUnits: "3", remaining: 7 }, { key: "b", quotaUnits: "2", remaining: 7 }])).toHaveLength(1);
    expect(run([{ key: "a", quotaUnits: "3", remaining: 4 }])).toHaveLength(1);
  });
});
