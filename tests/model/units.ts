// Units in the reference model: integers of micro-units (6 decimals) as BigInt, so every sum is exact
// and nothing in the model shares code with the engine's decimal library.

export type Micros = bigint;

const SCALE = 1_000_000n;

/** "12.5" -> 12500000n. Accepts what the engine prints: an optional sign, digits, up to six decimals. */
export function micros(text: string | number): Micros {
  const s = String(text).trim();
  const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(s);
  if (!m) throw new Error(`not a unit amount: ${s}`);
  const value = BigInt(m[2]!) * SCALE + BigInt((m[3] ?? "").padEnd(6, "0") || "0");
  return m[1] ? -value : value;
}

/** 12500000n -> "12.5", as the engine writes amounts (no trailing zeros, "0" for zero). */
export function text(value: Micros): string {
  const neg = value < 0n;
  const abs = neg ? -value : value;
  const whole = abs / SCALE;
  const frac = (abs % SCALE).toString().padStart(6, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

export const min = (a: Micros, b: Micros): Micros => (a < b ? a : b);
export const max = (a: Micros, b: Micros): Micros => (a > b ? a : b);

/** units * num / den rounded half up (to a micro-unit), for non-negative operands. */
export function mulDivHalfUp(units: Micros, num: number, den: number): Micros {
  const n = units * BigInt(num) * 2n + BigInt(den);
  return n / (2n * BigInt(den));
}
