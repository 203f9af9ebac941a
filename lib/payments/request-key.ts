/**
 * An idempotency key that goes into Stripe's own key: a form's per-render token, or an API caller's key for a
 * Checkout session. Stripe's keys are at most 255 characters, so this leaves room for the prefix put before it.
 */
export const REQUEST_KEY = /^[A-Za-z0-9_-]{8,80}$/;
