import { AppError } from "@/lib/errors";

/**
 * The refund form's choice as cents: null for a refund in full. An amount typed beside "Full" is refused rather
 * than ignored (the operator meant something; refunding everything instead would be the costly guess), and so is
 * "Partial" without an amount. `amount` is dollars as typed ("5", "12.50"), already checked for its shape.
 */
export function refundAmountCents(mode: "full" | "partial", amount: string | undefined): number | null {
  const typed = amount?.trim() ?? "";
  if (mode === "full") {
    if (typed) {
      throw new AppError("invalid_request", `You entered ${typed} but chose Full. Choose Partial to refund that amount, or clear it to refund in full.`, { field: "amount" });
    }
    return null;
  }
  if (!typed) throw new AppError("invalid_request", "Enter the amount to refund.", { field: "amount" });
  const [whole, fraction = ""] = typed.split(".");
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  if (!Number.isSafeInteger(cents) || cents <= 0) throw new AppError("invalid_request", "Enter an amount above 0.", { field: "amount" });
  return cents;
}
