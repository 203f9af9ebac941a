// The API's JSON writer. Amounts are exact decimal strings in the engine ("123456789012.123456"); the API
// answers them as JSON numbers, and a JSON number may carry any number of digits. Going through a JS
// number (JSON.stringify of Number(x)) would round to the 17 significant digits a double holds
// (123456789012.12346), so an amount is wrapped as an ExactNumber and its digits are written as they are.

const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** True for a plain decimal ("12.5", "-40", "0"), which is also a valid JSON number literal. */
export const isPlainDecimal = (s: string): boolean => DECIMAL.test(s);

/** A decimal the API writes as a JSON number literal with exactly these digits. */
export class ExactNumber {
  readonly digits: string;

  constructor(digits: string) {
    // Only a plain decimal is a valid JSON number literal; anything else would corrupt the answer.
    if (!DECIMAL.test(digits)) throw new Error(`not a plain decimal: ${JSON.stringify(digits)}`);
    this.digits = digits;
  }
}

/** An engine amount (exact decimal string) for an answer. */
export const exact = (digits: string): ExactNumber => new ExactNumber(digits);
export const exactOrNull = (digits: string | null): ExactNumber | null => (digits === null ? null : new ExactNumber(digits));

/**
 * JSON.stringify for the API's answers, with ExactNumber written as its digits. Plain data only: objects,
 * arrays, strings, finite numbers, booleans, null (and anything with toJSON, such as a Date); like
 * JSON.stringify it leaves out undefined and function properties and writes them as null inside arrays.
 */
export function stringifyJson(value: unknown): string {
  return write(value) ?? "null";
}

// Most strings (keys, features, idempotency keys, timestamps) need no escaping: quoted as they are.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const quote = (s: string) => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));

function write(value: unknown): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value instanceof ExactNumber) return value.digits;
  const v = value as { toJSON?: () => unknown };
  if (typeof v.toJSON === "function") return write(v.toJSON());
  if (Array.isArray(value)) return `[${value.map((x) => write(x) ?? "null").join(",")}]`;
  let out = "";
  for (const key of Object.keys(value as object)) {
    const s = write((value as Record<string, unknown>)[key]);
    if (s === undefined) continue;
    out += `${out ? "," : ""}${quote(key)}:${s}`;
  }
  return `{${out}}`;
}
