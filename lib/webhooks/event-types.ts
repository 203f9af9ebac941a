// The events Tally sends to the integrating backend (DESIGN.md, "Outgoing webhooks"), each with what it means.
// The database triggers (outbox.sql) write them; the console offers them; the OpenAPI document describes them.
export const WEBHOOK_EVENT_TYPES = {
  "usage.threshold_crossed": "A usage window crossed 80% or 100% of its quota (data.threshold 80 | 100), by usage or by a quota lowered under its count; once per window and threshold.",
  "usage.limit_reached": "A window's quota is used up and nothing lets the feature go on: overflow is block, or the extras balance is empty. Sent when the quota runs out (by usage, or lowered under the count), or when the extras carrying a used-up quota run out (spent or expired).",
  "extras.credited": "Extras units were credited: a pack bought (topup), a plan grant, or a positive operator adjustment.",
  "extras.low": "The extras balance fell below the auto top-up threshold (without one, below a fifth of the lot it draws from).",
  "extras.depleted": "The extras balance reached zero (or went below it).",
  "auto_top_up.succeeded": "An automatic top-up purchase was paid; extras.credited follows with its units.",
  "auto_top_up.failed": "An automatic top-up purchase failed (data.error says why).",
  "subscription.created": "A subscription started: a trial, or a paid Stripe subscription attached to the workspace.",
  "subscription.plan_changed": "The workspace's plan changed (upgrade, downgrade, operator move or migration; data.reason).",
  "subscription.canceled": "A cancellation took effect: the workspace moved to Free.",
  "subscription.trial_will_end": "The trial ends in 3 days (data.trialEndsAt).",
  "subscription.trial_ended": "The trial ended without a checkout: the workspace moved to Free.",
  "billing.past_due": "A payment failed: the subscription is past due (dunning starts).",
  "billing.degraded": "Past due for 7 days: current quota still usable; new checkouts and extras purchases blocked.",
  "billing.unpaid": "Past due for 14 days: unpaid, moved to Free.",
  "billing.recovered": "A paid invoice cleared dunning: the subscription is active again.",
  "invoice.paid": "An invoice was paid.",
  "invoice.payment_failed": "An invoice's payment was declined (data.paymentError says why).",
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_TYPES;
export const EVENT_TYPE_LIST = Object.keys(WEBHOOK_EVENT_TYPES) as WebhookEventType[];
export const isWebhookEventType = (t: string): t is WebhookEventType => Object.hasOwn(WEBHOOK_EVENT_TYPES, t);
