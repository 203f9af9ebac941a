import type { Stripe } from "@/lib/stripe";

/** The subscription events whose effect is a sync of the subscription, re-read from Stripe. */
export const SUBSCRIPTION_SYNC_TYPES = [
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "customer.subscription.paused",
  "customer.subscription.resumed",
  "customer.subscription.pending_update_applied",
  "customer.subscription.pending_update_expired",
] as const satisfies readonly Stripe.WebhookEndpointCreateParams.EnabledEvent[];

/**
 * The Stripe event types Tally applies, in one list: the webhook handler applies these (every other type
 * is stored and answered 200), and `npm run stripe:setup` subscribes the webhook endpoint to exactly these,
 * so the two cannot drift. Typed against the SDK's list of event types, so a misspelt type fails to compile.
 */
export const HANDLED_EVENT_TYPES = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  ...SUBSCRIPTION_SYNC_TYPES,
  "customer.subscription.trial_will_end",
  "invoice.created",
  "invoice.finalized",
  "invoice.finalization_failed",
  "invoice.updated",
  "invoice.paid",
  "invoice.payment_succeeded",
  "invoice.payment_failed",
  "invoice.payment_action_required",
  "invoice.voided",
  "invoice.marked_uncollectible",
  "charge.refunded",
  "charge.dispute.created",
  "charge.dispute.updated",
  "charge.dispute.closed",
  "refund.updated",
  "refund.failed",
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
] as const satisfies readonly Stripe.WebhookEndpointCreateParams.EnabledEvent[];

export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];
