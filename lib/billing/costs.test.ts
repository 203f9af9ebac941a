import { describe, expect, it } from "vitest";
import { costsSchema, costsToDollars, costsToUnits, priceKey, ratiosOf, type PriceTable, type Ratios } from "./costs";
import { Dec, formatUnits } from "./units";

const ratios: Ratios = {
  runBaseUnits: new Dec(1),
  dollarsToUnits: new Dec(100),
  maxUnitsPerRun: new Dec(500),
  actionWeights: new Map([
    ["small", new Dec(1)],
    ["medium", new Dec("2.5")],
    ["large", new Dec(5)],
    ["xl", new Dec(15)],
  ]),
};
const prices: PriceTable = new Map([
  [priceKey("openai", "gpt-4o"), { input: new Dec("2.5"), output: new Dec(10) }],
  [priceKey("openai", "gpt-4o-mini"), { input: new Dec("0.15"), output: new Dec("0.6") }],
]);
const units = (c: unknown, r = ratios) => formatUnits(costsToUnits(costsSchema.parse(c), r, prices));

describe("costsToUnits", () => {
  it("adds run base, action weight and dollars times the ratio", () => {
    expect(units({})).toBe("1");
    expect(units({ action: "small" })).toBe("2");
    expect(units({ action: "medium" })).toBe("3.5");
    expect(units({ action: "large" })).toBe("6");
    expect(units({ action: "xl" })).toBe("16");
    expect(units({ dollars: "0.01" })).toBe("2");
    expect(units({ action: "medium", dollars: 0.125 })).toBe("16");
  });

  it("prices tokens through the table, input and output apart", () => {
    const c = costsSchema.parse({ tokens: [{ provider: "openai", model: "gpt-4o", input: 1_000_000, output: 200_000 }, { provider: "openai", model: "gpt-4o-mini", input: 1000, output: 333 }] });
    expect(costsToDollars(c, prices).toFixed()).toBe("4.5003498");
    expect(units(c)).toBe("451.03498");
  });

  it("refuses a run that costs more than any run could (400, not a failed write)", () => {
    expect(units({ dollars: "1000000000000000" })).toBe("500");
    expect(() => units({ dollars: "1000000000000000.000001" })).toThrow(expect.objectContaining({ code: "invalid_request", details: { field: "costs.dollars" } }));
    expect(() => units({ dollars: "1" + "0".repeat(40) })).toThrow(/more than 1000000000000000 dollars/);
  });

  it("caps a run at maxUnitsPerRun, and only with a cap", () => {
    expect(units({ dollars: 10 })).toBe("500");
    expect(units({ dollars: 10 }, { ...ratios, maxUnitsPerRun: null })).toBe("1001");
  });

  it("rounds half up to six decimals once, at the end", () => {
    // 3 input tokens of gpt-4o-mini: 3 x $0.00000015 = $0.00000045 -> 0.000045 units (base 0)
    const r = { ...ratios, runBaseUnits: new Dec(0) };
    expect(units({ tokens: [{ provider: "openai", model: "gpt-4o-mini", input: 3, output: 0 }] }, r)).toBe("0.000045");
    // $0.000001 at 0.5 units per dollar = 0.0000005 units, rounded half up to 0.000001
    expect(units({ dollars: "0.000001" }, { ...r, dollarsToUnits: new Dec("0.5") })).toBe("0.000001");
  });

  it("refuses unknown actions and models, bad dollars, and costs that come to nothing", () => {
    expect(() => units({ action: "huge" })).toThrow(/Unknown action/);
    expect(() => units({ tokens: [{ provider: "x", model: "y", input: 1, output: 1 }] })).toThrow(/No price/);
    expect(() => units({ dollars: "-1" })).toThrow(/non-negative/);
    expect(() => units({ dollars: Number.POSITIVE_INFINITY })).toThrow();
    expect(() => units({}, { ...ratios, runBaseUnits: new Dec(0) })).toThrow(/zero units/);
    expect(() => costsSchema.parse({ tokens: [{ provider: "openai", model: "gpt-4o", input: 1.5, output: 0 }] })).toThrow();
  });

  it("refuses actions named like Object.prototype's members as unknown actions, never as a weight", () => {
    for (const action of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf", "__defineGetter__"]) {
      expect(() => units({ action }), action).toThrow(expect.objectContaining({ code: "invalid_request", details: { field: "costs.action" } }));
    }
  });
});

describe("ratiosOf", () => {
  const plan = (actionWeights: unknown) => ({ runBaseUnits: new Dec(1), dollarsToUnits: new Dec(100), maxUnitsPerRun: null, actionWeights });

  it("reads only the plan's own weights, whatever their names", () => {
    // JSON.parse makes "__proto__" an own key; it is a weight like any other.
    const r = ratiosOf(plan(JSON.parse('{"__proto__":"7","constructor":"3","small":"1"}')));
    expect(units({ action: "__proto__" }, r)).toBe("8");
    expect(units({ action: "constructor" }, r)).toBe("4");
    expect(units({ action: "small" }, r)).toBe("2");
    expect(() => units({ action: "toString" }, r)).toThrow(/Unknown action "toString"; expected one of __proto__, constructor, small/);
    expect(() => units({ action: "small" }, ratiosOf(plan(null)))).toThrow(/expected no action on this plan/);
  });
});
