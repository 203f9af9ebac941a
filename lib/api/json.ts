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

// ---------------------------------------------------------------------------------------------- reading
// Amounts may come in as JSON numbers too. JSON.parse reads every number as a double, so units of
// 123456789012.123456 would be read as 123456789012.12346 and recorded as that, silently. An amount whose
// literal a double cannot hold is kept as its decimal text instead, which the request schemas take as a
// decimal string; every other number, and every number elsewhere in the body (metadata), is read as before.

/** Where the request schemas take an amount: a number or a decimal string. */
const AMOUNT_PATHS = new Set(["units", "costs.dollars", "events.*.units", "events.*.costs.dollars"]);
// The path of a number is spelled out only this deep: spelling it at any depth made a deeply nested body full
// of long numbers cost depth x numbers (a 190 KB body held the event loop for 26 s).
const AMOUNT_DEPTH = Math.max(...[...AMOUNT_PATHS].map((p) => p.split(".").length));
// Up to 15 significant digits a double always holds; only a literal with 16 or more can lose some.
const LONG_LITERAL = /[\d.]{16}/;
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[{}[\]:,]/g;

/** JSON.parse (and its SyntaxError for malformed JSON), keeping amounts a double would round as decimal text. */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (!LONG_LITERAL.test(text)) return value;
  const kept = keepLongAmounts(text);
  return kept === text ? value : JSON.parse(kept);
}

interface Frame {
  key: string | null;
  inObject: boolean;
  expectingKey: boolean;
}

// Runs on text JSON.parse has accepted, where outside strings only numbers hold digits or a minus sign.
function keepLongAmounts(text: string): string {
  const stack: Frame[] = [];
  let out = "";
  let copied = 0;
  for (const m of text.matchAll(TOKENS)) {
    const token = m[0];
    const top = stack.at(-1);
    if (token === "{" || token === "[") stack.push({ key: null, inObject: token === "{", expectingKey: token === "{" });
    else if (token === "}" || token === "]") stack.pop();
    else if (token === ":") top!.expectingKey = false;
    else if (token === ",") top!.expectingKey = top!.inObject;
    else if (token.startsWith('"')) {
      if (top?.inObject && top.expectingKey) top.key = JSON.parse(token) as string;
    } else if (stack.length <= AMOUNT_DEPTH && !roundTrips(token) && AMOUNT_PATHS.has(stack.map((f) => (f.inObject ? f.key : "*")).join("."))) {
      out += `${text.slice(copied, m.index)}"${token}"`;
      copied = m.index + token.length;
    }
  }
  return copied ? out + text.slice(copied) : text;
}

/** True when the double a literal parses to is written back as the same decimal (or it is not a plain decimal). */
function roundTrips(literal: string): boolean {
  if (!DECIMAL.test(literal)) return true;
  const canonical = literal.includes(".") ? literal.replace(/\.?0+$/, "") : literal;
  return String(Number(literal)) === canonical;
}
