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

const dateFmt = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
const dateTimeFmt = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
const shortDayFmt = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

/** Dates are shown in UTC, the zone windows reset in, so every reader sees the same moment. */
export const formatDate = (d: Date | string) => dateFmt.format(new Date(d));
export const formatDateTime = (d: Date | string) => `${dateTimeFmt.format(new Date(d))} UTC`;
export const formatShortDay = (d: Date | string) => shortDayFmt.format(new Date(d));

/** Whole days from `now` until `at`, rounded up (a trial ending in 2 hours has 1 day left); 0 when past. */
export function daysUntil(at: Date | string, now: Date): number {
  const ms = new Date(at).getTime() - now.getTime();
  return ms <= 0 ? 0 : Math.ceil(ms / 86_400_000);
}
