import { describe, expect, it } from "vitest";
import { decodeCursor, describeEntryKind, encodeCursor, isLedgerKind, LEDGER_KIND_LABELS, LEDGER_KINDS } from "./ledger";

describe("ledger kinds in words", () => {
  it("knows every kind, settlements included, for the filter and the CSV export", () => {
    expect(isLedgerKind("settlement")).toBe(true);
    expect(LEDGER_KINDS.map((k) => LEDGER_KIND_LABELS[k])).toContain("Debt settlement");
    expect(isLedgerKind("constructor")).toBe(false);
  });

  it("says which side of a settlement an entry is, and when a refund gave units back", () => {
    expect(describeEntryKind({ kind: "settlement", units: "50", causeType: "checkout_session" })).toBe("Debt settled from another pack");
    expect(describeEntryKind({ kind: "settlement", units: "-50", causeType: "checkout_session" })).toBe("Paid the debt of another pack");
    expect(describeEntryKind({ kind: "refund", units: "125", causeType: "failed_refund" })).toBe("Refund failed, units given back");
    expect(describeEntryKind({ kind: "refund", units: "-125", causeType: "refund" })).toBe("Refund");
  });
});

describe("ledger page cursors", () => {
  it("read back what the page wrote", () => {
    const c = { createdAt: new Date("2026-12-01T10:00:00.123Z"), seq: 42 };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  it("ignore what the columns cannot hold (seq past 32 bits, a time past the year 9999) and anything malformed", () => {
    for (const bad of ["1700000000000.9999999999", "1700000000000.2147483648", "999999999999999.1", "1.-1", "abc", "", undefined]) expect(decodeCursor(bad), String(bad)).toBeUndefined();
    expect(decodeCursor("1700000000000.2147483647")?.seq).toBe(2147483647);
  });
});
