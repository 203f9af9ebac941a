import { describe, expect, it } from "vitest";
import { crossedThresholds } from "./thresholds";
import { Dec } from "./units";

const d = (v: string) => new Dec(v);

describe("crossedThresholds", () => {
  it("reports a threshold only for the change that crosses it", () => {
    expect(crossedThresholds(d("79"), d("80"), d("100"))).toEqual([80]);
    expect(crossedThresholds(d("80"), d("81"), d("100"))).toEqual([]);
    expect(crossedThresholds(d("79.999999"), d("100"), d("100"))).toEqual([80, 100]);
    expect(crossedThresholds(d("100"), d("150"), d("100"))).toEqual([]);
    expect(crossedThresholds(d("0"), d("0.8"), d("1"))).toEqual([80]);
    expect(crossedThresholds(d("0"), d("5"), null)).toEqual([]);
    expect(crossedThresholds(d("0"), d("5"), d("0"))).toEqual([]);
  });
});
