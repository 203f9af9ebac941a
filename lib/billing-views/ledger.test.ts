import { describe, expect, it } from "vitest";
import { describeEntryKind, isLedgerKind, LEDGER_KIND_LABELS, LEDGER_KINDS } from "./ledger";

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
