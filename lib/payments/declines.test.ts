import { describe, expect, it } from "vitest";
import { invoiceStatusWords } from "@/lib/billing-views/invoices";
import { declineReason } from "./declines";

describe("declineReason", () => {
  it("names the reasons a customer can act on, and passes Stripe's words on otherwise", () => {
    expect(declineReason({ code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds." })).toBe("insufficient funds");
    expect(declineReason({ code: "insufficient_funds", message: "The customer's account has insufficient funds to cover this payment." })).toBe("insufficient funds");
    expect(declineReason({ code: "authentication_required", decline_code: "authentication_required" })).toBe("the bank asks for the payment to be confirmed (3-D Secure)");
    expect(declineReason({ code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." })).toBe("your card was declined");
    expect(declineReason(null)).toBe("the card was declined");
  });
});

describe("invoiceStatusWords", () => {
  const base = { paymentIssue: null, paymentError: null, finalizationError: null };
  it("says what an open invoice waits for and why a draft was not issued", () => {
    expect(invoiceStatusWords({ ...base, status: "open", paymentIssue: "requires_action" })).toBe("Open: payment needs your authentication (3-D Secure)");
    expect(invoiceStatusWords({ ...base, status: "open", paymentIssue: "declined", paymentError: "insufficient funds" })).toBe("Open: payment failed (insufficient funds)");
    expect(invoiceStatusWords({ ...base, status: "draft", finalizationError: "The customer's location isn't recognized." })).toBe("Not issued: The customer's location isn't recognized.");
    expect(invoiceStatusWords({ ...base, status: "draft" })).toBe("Draft: to be charged within the hour");
    expect(invoiceStatusWords({ ...base, status: "paid" })).toBe("Paid");
  });
});
