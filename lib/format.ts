// The one place where numbers, money, dates and stored codes become words on a page. Dates are shown in
// UTC (the zone usage windows reset in), so every reader of a page sees the same moment, in one format.

const dateFmt = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
const dateTimeFmt = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
const shortDayFmt = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const relativeFmt = new Intl.RelativeTimeFormat("en-US", { numeric: "auto" });

/** "Dec 3, 2026". */
export const formatDate = (d: Date | string) => dateFmt.format(new Date(d));
/** "Dec 3, 2026, 14:05 UTC". */
export const formatDateTime = (d: Date | string) => `${dateTimeFmt.format(new Date(d))} UTC`;
/** "Dec 3" (chart axes). */
export const formatShortDay = (d: Date | string) => shortDayFmt.format(new Date(d));

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000], ["month", 30 * 86_400_000], ["week", 7 * 86_400_000], ["day", 86_400_000], ["hour", 3_600_000], ["minute", 60_000],
];

/**
 * "in 4 days", "in 3 hours", "tomorrow", "2 weeks ago": the largest whole unit between now and `at`
 * (rounded, so 3 days 20 hours reads "in 4 days"). Under a minute: "now".
 */
export function formatRelative(at: Date | string, now: Date = new Date()): string {
  const ms = new Date(at).getTime() - now.getTime();
  const abs = Math.abs(ms);
  for (const [unit, size] of units) {
    // Days read better than "1 week" up to two weeks, and hours up to two days.
    const threshold = unit === "week" ? 2 * size : unit === "day" ? 2 * size : size;
    if (abs >= threshold || unit === "minute") {
      const n = Math.round(abs / size);
      if (unit === "minute" && n === 0) return "now";
      return relativeFmt.format(ms < 0 ? -n : n, unit);
    }
  }
  return "now";
}

/** Whole days from `now` until `at`, rounded up (a trial ending in 2 hours has 1 day left); 0 when past. */
export function daysUntil(at: Date | string, now: Date): number {
  const ms = new Date(at).getTime() - now.getTime();
  return ms <= 0 ? 0 : Math.ceil(ms / 86_400_000);
}

const moneyFmts = new Map<string, [whole: Intl.NumberFormat, cents: Intl.NumberFormat]>();

/** Integer cents as a price: 999 -> "$9.99", 9900 -> "$99" (no ".00" on whole amounts), 1250 -> "$12.50". */
export function formatMoney(cents: number, currency = "usd"): string {
  const code = currency.toUpperCase();
  let fmts = moneyFmts.get(code);
  if (!fmts) {
    fmts = [
      new Intl.NumberFormat("en-US", { style: "currency", currency: code, minimumFractionDigits: 0, maximumFractionDigits: 0 }),
      new Intl.NumberFormat("en-US", { style: "currency", currency: code }),
    ];
    moneyFmts.set(code, fmts);
  }
  return (Number.isInteger(cents / 100) ? fmts[0] : fmts[1]).format(cents / 100);
}

// Stored codes in words. Unknown codes are made readable rather than shown raw.
const readable = (code: string) => {
  const words = code.replace(/[_-]+/g, " ").trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const roles: Record<string, string> = { OWNER: "Owner", ADMIN: "Admin", MEMBER: "Member" };
/** OWNER -> "Owner". */
export const roleLabel = (role: string) => roles[role] ?? readable(role);

const subscriptionStatuses: Record<string, string> = {
  free: "Free",
  trialing: "Trial",
  active: "Active",
  past_due: "Payment overdue",
  degraded: "Purchases blocked",
  unpaid: "Unpaid",
  canceled: "Canceled",
};
/** past_due -> "Payment overdue". */
export const subscriptionStatusLabel = (status: string) => subscriptionStatuses[status] ?? readable(status);

const invoiceStatuses: Record<string, string> = { draft: "Draft", open: "Open", paid: "Paid", void: "Void", uncollectible: "Uncollectible" };
export const invoiceStatusLabel = (status: string) => invoiceStatuses[status] ?? readable(status);

/** Ledger entry kinds in words (the ledger's filter, table and CSV use the same ones). */
export const LEDGER_KIND_WORDS = {
  topup: "Top-up",
  grant: "Grant",
  debit: "Debit",
  refund: "Refund",
  expiration: "Expiration",
  adjustment: "Adjustment",
  settlement: "Debt settlement",
  dispute: "Dispute",
} as const;
/** topup -> "Top-up". */
export const ledgerKindLabel = (kind: string) => (LEDGER_KIND_WORDS as Record<string, string>)[kind] ?? readable(kind);

const eventStatuses: Record<string, string> = { received: "Received", processed: "Processed", failed: "Failed" };
/** Stripe event records and batch jobs: "processed" -> "Processed". */
export const processingStatusLabel = (status: string) => eventStatuses[status] ?? readable(status);

/** Any other stored code (a plan-history reason, a migration item status): "period_end" -> "Period end". */
export const codeLabel = readable;
