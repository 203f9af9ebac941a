import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors";
import { refundAmountCents } from "./refund-amount";

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (isAppError(e)) return { code: e.code, field: e.details?.field };
    throw e;
  }
  throw new Error("not refused");
};

describe("the refund form's amount", () => {
  it("is the whole remainder for Full with no amount", () => {
    expect(refundAmountCents("full", undefined)).toBeNull();
    expect(refundAmountCents("full", "")).toBeNull();
  });

  it("refuses an amount typed beside Full instead of refunding everything", () => {
    expect(refusal(() => refundAmountCents("full", "5.00"))).toEqual({ code: "invalid_request", field: "amount" });
  });

  it("is exact cents for Partial", () => {
    expect(refundAmountCents("partial", "5")).toBe(500);
    expect(refundAmountCents("partial", "0.29")).toBe(29);
    expect(refundAmountCents("partial", "12.5")).toBe(1250);
    expect(refundAmountCents("partial", "1234567.89")).toBe(123456789);
  });

  it("refuses Partial without an amount, or with nothing to refund", () => {
    expect(refusal(() => refundAmountCents("partial", ""))).toEqual({ code: "invalid_request", field: "amount" });
    expect(refusal(() => refundAmountCents("partial", "0.00"))).toEqual({ code: "invalid_request", field: "amount" });
  });
});
