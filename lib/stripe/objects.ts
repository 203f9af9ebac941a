import type { Stripe } from "./client";

/** The id of an expandable field (a string id or the expanded object). */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === "string" ? value : value.id;
}

/** The subscription's current period, read from its first item (where current API versions keep it). */
export function subscriptionPeriod(sub: Stripe.Subscription): { start: Date; end: Date } | null {
  const item = sub.items.data[0];
  if (!item) return null;
  return { start: new Date(item.current_period_start * 1000), end: new Date(item.current_period_end * 1000) };
}

/** The price of the subscription's first item: Tally subscriptions hold exactly one plan price. */
export function subscriptionPrice(sub: Stripe.Subscription): Stripe.Price | null {
  return sub.items.data[0]?.price ?? null;
}

/** The subscription an invoice bills, if any. */
export function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  return idOf(invoice.parent?.subscription_details?.subscription ?? null);
}

export function chargePaymentIntentId(charge: Stripe.Charge): string | null {
  return idOf(charge.payment_intent);
}

/** The payment intent an invoice's default payment runs on (its `payments`, expanded: `expand: ["payments"]`). */
export function invoicePaymentIntentId(invoice: Stripe.Invoice): string | null {
  const payment = invoice.payments?.data.find((p) => p.is_default) ?? invoice.payments?.data[0];
  return payment?.payment.type === "payment_intent" ? idOf(payment.payment.payment_intent ?? null) : null;
}
