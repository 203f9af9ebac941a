/**
 * Fields the engine keeps for its own bookkeeping that the pinned API version no longer has (Stripe moved the
 * period to subscription items, and an invoice's subscription, payment intent and charge to `parent` and
 * `payments`, in 2025-03-31.basil). Every answer and every event is cut to the pinned version's shape here, so
 * nothing the app receives carries a field that version removed.
 */
const REMOVED: Record<string, readonly string[]> = {
  subscription: ["current_period_start", "current_period_end", "plan", "quantity"],
  subscription_item: ["livemode"],
  invoice: ["charge", "paid", "payment_intent", "subscription"],
  line_item: ["price", "proration", "type"],
  refund: ["livemode"],
  product: ["attributes"],
};

function strip(obj: Record<string, unknown>, type: unknown): void {
  for (const key of REMOVED[String(type)] ?? []) delete obj[key];
}

/** Cuts `value` (in place) and every object nested in it to the pinned version's fields; returns it. */
export function pinnedShape<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const item of value) pinnedShape(item);
  } else if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    strip(obj, obj.object);
    for (const child of Object.values(obj)) if (child && typeof child === "object") pinnedShape(child);
  }
  return value;
}

/** An event's previous_attributes, cut like the object they belong to. */
export function pinnedPrevious(previous: Record<string, unknown>, type: unknown): Record<string, unknown> {
  strip(previous, type);
  return pinnedShape(previous);
}
