import { describe, expect, it } from "vitest";
import { Dec, formatUnits, parseUnits, toDec } from "./units";

describe("parseUnits", () => {
  it.each([
    [1, "1"],
    ["1", "1"],
    [0.5, "0.5"],
    ["0.000001", "0.000001"],
    ["12.500000", "12.5"],
    [" 7 ", "7"],
    [Number.MAX_SAFE_INTEGER, "9007199254740991"],
    ["9007199254740991", "9007199254740991"],
    ["9007199254740990.999999", "9007199254740990.999999"],
  ])("accepts %j as %s", (input, out) => {
    expect(formatUnits(parseUnits(input))).toBe(out);
  });

  it.each([
    [0, /greater than zero/],
    [-1, /greater than zero/],
    ["-0.5", /greater than zero/],
    ["0", /greater than zero/],
    [Number.NaN, /finite/],
    [Number.NEGATIVE_INFINITY, /finite/],
    [2 ** 53, /2\^53/],
    ["9007199254740992", /2\^53/],
    ["0.0000001", /6 decimal places/],
    [1e-7, /6 decimal places/],
    [0.1 + 0.2, /6 decimal places/],
    ["1e3", /plain decimal/],
    ["0x10", /plain decimal/],
    ["01", /plain decimal/],
    ["", /plain decimal/],
    [null, /number or a decimal string/],
    [{}, /number or a decimal string/],
  ])("refuses %j", (input, message) => {
    expect(() => parseUnits(input)).toThrow(message);
  });
});

describe("exact decimals", () => {
  it("keeps every digit of NUMERIC(38,6) sums, where Prisma's default Decimal would round at 20 digits", () => {
    const a = toDec("9007199254740991.999999");
    expect(formatUnits(a.plus("0.000001"))).toBe("9007199254740992");
    expect(formatUnits(a.times(1000))).toBe("9007199254740991999.999");
  });

  it("adds 0.1 ten thousand times to exactly 1000", () => {
    let sum = new Dec(0);
    for (let i = 0; i < 10_000; i++) sum = sum.plus("0.1");
    expect(formatUnits(sum)).toBe("1000");
  });

  it("formats without exponents or trailing zeros", () => {
    expect(formatUnits(toDec("0.000001"))).toBe("0.000001");
    expect(formatUnits(toDec("-150.000000"))).toBe("-150");
    expect(formatUnits(toDec("100000000000000000000000"))).toBe("100000000000000000000000");
    expect(formatUnits(toDec("-0"))).toBe("0");
  });
});
