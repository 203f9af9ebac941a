// Display text for billing numbers and dates. Amounts stay exact decimal strings all the way to the
// page: grouping digits by hand avoids a round trip through binary floats.

const nouns: Record<string, [singular: string, plural: string]> = {
  compute: ["compute unit", "compute units"],
  api_calls: ["API call", "API calls"],
  seats: ["seat", "seats"],
  projects: ["project", "projects"],
};

const titles: Record<string, string> = { compute: "Compute", api_calls: "API calls", seats: "Seats", projects: "Projects" };

/** "Compute", "API calls", or the feature key made readable. */
export function featureTitle(feature: string): string {
  const t = titles[feature];
  if (t) return t;
  const words = feature.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The feature's unit noun, singular when the amount is exactly 1. */
export function featureNoun(feature: string, amount?: string): string {
  const [one, many] = nouns[feature] ?? [feature.replace(/[_-]+/g, " "), feature.replace(/[_-]+/g, " ")];
  return amount !== undefined && /^-?1(\.0*)?$/.test(amount) ? one : many;
}

/** "12345.5" -> "12,345.5"; "-40" -> "-40". Input is an exact decimal string. */
export function groupDigits(value: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(value.trim());
  if (!m) return value;
  const [, sign, whole, fraction = ""] = m;
  return `${sign}${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${fraction}`;
}

/** A signed amount as a ledger shows it: "+500", "-12.5", "0". */
export function signedUnits(value: string): string {
  if (/^0(\.0*)?$/.test(value)) return "0";
  return value.startsWith("-") ? `\u2212${groupDigits(value.slice(1))}` : `+${groupDigits(value)}`;
}

// Dates and money live in the app's one formatter; re-exported so billing views keep one import.
export { daysUntil, formatDate, formatDateTime, formatRelative, formatShortDay } from "@/lib/format";
