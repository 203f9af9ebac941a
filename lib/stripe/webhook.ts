import Stripe from "stripe";

/** Stripe's default: a signature older than five minutes is refused (replay protection). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

// Verification is pure HMAC work: an offline client needs no key or network.
const verifier = new Stripe("sk_verify_only");

/** Checks the Stripe-Signature header over the raw body and parses the event; throws on a bad, stale or missing signature. */
export function verifyStripeEvent(rawBody: string, signature: string | null, secret: string): Stripe.Event {
  if (!signature) throw new Stripe.errors.StripeSignatureVerificationError("", rawBody, { message: "No Stripe-Signature header." });
  return verifier.webhooks.constructEvent(rawBody, signature, secret, SIGNATURE_TOLERANCE_SECONDS);
}

/** A signed header for `payload`, as Stripe would send it (tests and local tools). */
export function signTestPayload(payload: string, secret: string, timestamp?: number): string {
  return verifier.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp === undefined ? {} : { timestamp }) });
}
