import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatMoney, formatRelative, ledgerKindLabel, roleLabel, subscriptionStatusLabel } from "./format";

describe("format", () => {
  it("prices drop .00 on whole amounts and keep cents otherwise", () => {
    expect(formatMoney(9900)).toBe("$99");
    expect(formatMoney(999)).toBe("$9.99");
    expect(formatMoney(1250)).toBe("$12.50");
    expect(formatMoney(0)).toBe("$0");
    expect(formatMoney(49999, "usd")).toBe("$499.99");
    expect(formatMoney(2000, "eur")).toBe("€20");
  });

  it("one date format, in UTC", () => {
    expect(formatDate("2026-12-31T23:30:00Z")).toBe("Dec 31, 2026");
    expect(formatDateTime("2026-12-03T04:05:00Z")).toBe("Dec 3, 2026, 04:05 UTC");
  });

  it("relative times in the largest whole unit", () => {
    const now = new Date("2026-12-03T00:00:00Z");
    const at = (ms: number) => new Date(now.getTime() + ms);
    const h = 3_600_000;
    expect(formatRelative(at(4 * 24 * h - 3 * h), now)).toBe("in 4 days");
    expect(formatRelative(at(3 * h), now)).toBe("in 3 hours");
    expect(formatRelative(at(30 * h), now)).toBe("in 30 hours");
    expect(formatRelative(at(-2 * 24 * h), now)).toBe("2 days ago");
    expect(formatRelative(at(20 * 24 * h), now)).toBe("in 3 weeks");
    expect(formatRelative(at(10_000), now)).toBe("now");
  });

  it("stored codes in words", () => {
    expect(roleLabel("OWNER")).toBe("Owner");
    expect(subscriptionStatusLabel("past_due")).toBe("Payment overdue");
    expect(ledgerKindLabel("topup")).toBe("Top-up");
    expect(ledgerKindLabel("something_new")).toBe("Something new");
  });
});
