import { Prisma } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";

/**
 * Exact decimal arithmetic for units. Prisma's Decimal keeps 20 significant digits by default, which
 * would round 2^53 with six decimals; this clone keeps 60 so sums of NUMERIC(38,6) values stay exact.
 */
export const Dec = Prisma.Decimal.clone({ precision: 60, rounding: Prisma.Decimal.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60 });
export type Dec = InstanceType<typeof Dec>;

/** Six decimal places, as stored (NUMERIC(38,6)). */
export const UNIT_SCALE = 6;
/** The largest amount one request may carry: 2^53 - 1, so a client's JSON number is always exact. */
export const MAX_UNITS = new Dec(Number.MAX_SAFE_INTEGER);

export const ZERO = new Dec(0);

const DECIMAL_RE = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** Anything the database or a caller hands over (Prisma.Decimal, string, number) as an exact Dec. */
export function toDec(value: Prisma.Decimal | Dec | string | number | bigint): Dec {
  return new Dec(typeof value === "object" ? value.toFixed() : value.toString());
}

/** Canonical text of a units amount: plain notation, no trailing zeros ("12.5", "0", "-3"). */
export function formatUnits(value: Dec | Prisma.Decimal | string): string {
  const d = toDec(value);
  return d.isZero() ? "0" : d.toFixed();
}

/**
 * Parses a units amount from a caller: a JSON number or a decimal string, strictly positive,
 * at most 2^53 - 1, at most six decimal places. Throws invalid_request otherwise.
 */
export function parseUnits(input: unknown, field = "units"): Dec {
  let text: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw invalid(field, "must be a finite number");
    if (input <= 0) throw invalid(field, "must be greater than zero");
    if (input > Number.MAX_SAFE_INTEGER) throw invalid(field, "must not exceed 2^53 - 1");
    if (input < 1e-6) throw invalid(field, `must have at most ${UNIT_SCALE} decimal places`);
    // String() of a double is its shortest exact round-trip form; exponent forms (1e-7, 1e+21) are refused below.
    text = String(input);
  } else if (typeof input === "string") {
    text = input.trim();
  } else {
    throw invalid(field, "must be a number or a decimal string");
  }
  if (text.startsWith("-")) throw invalid(field, "must be greater than zero");
  if (!DECIMAL_RE.test(text)) throw invalid(field, "must be a plain decimal number (digits, optional point, no exponent)");
  const fraction = text.split(".")[1] ?? "";
  if (fraction.replace(/0+$/, "").length > UNIT_SCALE) throw invalid(field, `must have at most ${UNIT_SCALE} decimal places`);
  const value = new Dec(text);
  if (value.lte(0)) throw invalid(field, "must be greater than zero");
  if (value.gt(MAX_UNITS)) throw invalid(field, "must not exceed 2^53 - 1");
  return value;
}

function invalid(field: string, why: string): AppError {
  return new AppError("invalid_request", `${field} ${why}.`, { field });
}

/** Rounds to the stored scale, half up (amounts derived from costs are rounded once, at the end). */
export function roundUnits(value: Dec): Dec {
  return value.toDecimalPlaces(UNIT_SCALE, Dec.ROUND_HALF_UP);
}

export const minDec = (a: Dec, b: Dec): Dec => (a.lte(b) ? a : b);
export const maxDec = (a: Dec, b: Dec): Dec => (a.gte(b) ? a : b);
