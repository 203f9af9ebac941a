// Reads an answer's JSON with every number kept as the digits written in the text, so a test sees what a
// client with an exact-decimal JSON reader sees (JSON.parse would round 123456789012.123456 to a double).

const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const NUMBER = "\u0000number:";

/** The JSON value of `text`, every number as its literal text ("123456789012.123456", "200"). */
export function readExact(text: string): unknown {
  // Strings are matched whole first, so digits inside a string are never taken for a number.
  const marked = text.replace(TOKEN, (t) => (t.startsWith('"') ? t : JSON.stringify(NUMBER + t)));
  return unmark(JSON.parse(marked));
}

function unmark(v: unknown): unknown {
  if (typeof v === "string") return v.startsWith(NUMBER) ? v.slice(NUMBER.length) : v;
  if (Array.isArray(v)) return v.map(unmark);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unmark(x)]));
  return v;
}
