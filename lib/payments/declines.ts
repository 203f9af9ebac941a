/** A payment error as Stripe reports it (a card error, or a payment intent's last_payment_error). */
export interface PaymentErrorLike {
  code?: string | null;
  decline_code?: string | null;
  message?: string | null;
}

/**
 * Why a payment failed, in the app's words: the reasons a customer can act on are named (no funds, the bank
 * wants a confirmation, the card expired), anything else is Stripe's own message.
 */
export function declineReason(error: PaymentErrorLike | null | undefined): string {
  const code = error?.decline_code ?? error?.code ?? null;
  switch (code) {
    case "insufficient_funds":
      return "insufficient funds";
    case "authentication_required":
      return "the bank asks for the payment to be confirmed (3-D Secure)";
    case "expired_card":
      return "the card has expired";
    case "incorrect_cvc":
    case "invalid_cvc":
      return "the card's security code is wrong";
    case "payment_intent_authentication_failure":
      return "the payment was not confirmed with the bank";
    default:
      return (error?.message ?? "the card was declined").replace(/\.$/, "").replace(/^./, (c) => c.toLowerCase());
  }
}
