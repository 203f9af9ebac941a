import { z } from "zod";
import { AppError } from "@/lib/errors";

/**
 * An idempotency key that goes into Stripe's own key: a form's per-render token, or an API caller's key for a
 * Checkout session. Stripe's keys are at most 255 characters, so this leaves room for the prefix put before it.
 */
export const REQUEST_KEY = /^[A-Za-z0-9_-]{8,80}$/;

const STALE_FORM = "The form is out of date; reload the page and try again.";

/** A form's per-render token as its action reads it: the same click submitted twice carries the same token. */
export const formRequestKey = z.string().regex(REQUEST_KEY, "Reload the page and try again.");

/** `key` when it is a request key; otherwise the form that sent it is out of date. */
export function requestKeyOf(key: unknown, field?: string): string {
  if (typeof key !== "string" || !REQUEST_KEY.test(key)) throw new AppError("invalid_request", STALE_FORM, field ? { field } : undefined);
  return key;
}
