/** Shapes of the stored objects. Each is kept in Stripe's published JSON shape, so answering is a copy. */

export type Metadata = Record<string, string>;

export interface StripeObject {
  id: string;
  object: string;
  created: number;
  livemode: false;
  [key: string]: unknown;
}

export interface ListObject<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  url: string;
  total_count?: number;
}

export interface Customer extends StripeObject {
  object: "customer";
  email: string | null;
  name: string | null;
  description: string | null;
  metadata: Metadata;
  balance: number;
  invoice_prefix: string;
  invoice_settings: { custom_fields: null; default_payment_method: string | null; footer: null; rendering_options: null };
  test_clock: string | null;
  deleted?: true;
}

export interface Product extends StripeObject {
  object: "product";
  name: string;
  active: boolean;
  metadata: Metadata;
  default_price: string | null;
  updated: number;
}

export interface Recurring {
  interval: "day" | "week" | "month" | "year";
  interval_count: number;
  meter: null;
  trial_period_days: number | null;
  usage_type: "licensed";
}

export interface Price extends StripeObject {
  object: "price";
  active: boolean;
  currency: string;
  lookup_key: string | null;
  metadata: Metadata;
  nickname: string | null;
  product: string;
  recurring: Recurring | null;
  type: "one_time" | "recurring";
  unit_amount: number;
  unit_amount_decimal: string;
}

export interface CardDetails {
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  fingerprint: string;
  funding: string;
  country: string;
}

export interface PaymentMethod extends StripeObject {
  object: "payment_method";
  type: "card" | "link" | "us_bank_account";
  customer: string | null;
  metadata: Metadata;
  /** Set for `type: "card"` only. */
  card?: CardDetails & Record<string, unknown>;
  /** Set for `type: "link"` only. */
  link?: { email: string | null; persistent_token?: string };
  /** Set for `type: "us_bank_account"` only (an ACH debit, which settles days after it is made). */
  us_bank_account?: Record<string, unknown> & { last4: string; routing_number: string; bank_name: string };
  billing_details: { address: Record<string, string | null>; email: string | null; name: string | null; phone: string | null; tax_id: null };
}

export type CheckoutStatus = "open" | "complete" | "expired";

export interface CheckoutLineItem {
  id: string;
  object: "item";
  amount_discount: number;
  amount_subtotal: number;
  amount_tax: number;
  amount_total: number;
  currency: string;
  description: string;
  price: string;
  quantity: number;
}

export interface CheckoutSession extends StripeObject {
  object: "checkout.session";
  mode: "payment" | "subscription" | "setup";
  status: CheckoutStatus;
  payment_status: "paid" | "unpaid" | "no_payment_required";
  customer: string | null;
  customer_email: string | null;
  client_reference_id: string | null;
  metadata: Metadata;
  success_url: string | null;
  cancel_url: string | null;
  url: string | null;
  subscription: string | null;
  payment_intent: string | null;
  invoice: string | null;
  currency: string;
  amount_subtotal: number;
  amount_total: number;
  expires_at: number;
  payment_method_types: string[];
  customer_details: { email: string | null; name: string | null; address: null; phone: null; tax_exempt: "none"; tax_ids: [] } | null;
}

export type SubscriptionStatus = "incomplete" | "incomplete_expired" | "trialing" | "active" | "past_due" | "canceled" | "unpaid" | "paused";

export interface SubscriptionItem extends StripeObject {
  object: "subscription_item";
  price: Price;
  plan: Record<string, unknown>;
  quantity: number;
  subscription: string;
  metadata: Metadata;
  current_period_start: number;
  current_period_end: number;
}

export interface Subscription extends StripeObject {
  object: "subscription";
  customer: string;
  status: SubscriptionStatus;
  items: ListObject<SubscriptionItem>;
  metadata: Metadata;
  currency: string;
  current_period_start: number;
  current_period_end: number;
  /** Flexible (Stripe's default for new subscriptions at the pinned version) credits what was billed. */
  billing_mode: { flexible: { proration_discounts: "included" | "itemized" } | null; type: "classic" | "flexible"; updated_at?: number };
  billing_cycle_anchor: number;
  cancel_at: number | null;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  cancellation_details: { comment: string | null; feedback: string | null; reason: string | null };
  ended_at: number | null;
  default_payment_method: string | null;
  latest_invoice: string | null;
  schedule: string | null;
  start_date: number;
  trial_start: number | null;
  trial_end: number | null;
  trial_settings: { end_behavior: { missing_payment_method: "cancel" | "create_invoice" | "pause" } };
  test_clock: string | null;
  quantity: number;
  plan: Record<string, unknown> | null;
  /** Set while a change made with payment_behavior=pending_if_incomplete waits for its invoice to be paid. */
  pending_update: PendingUpdate | null;
}

export interface PendingUpdate {
  billing_cycle_anchor: number | null;
  expires_at: number;
  subscription_items: Record<string, unknown>[];
  trial_end: number | null;
  trial_from_plan: boolean | null;
}

/** An invoice line before it lands on an invoice (Stripe's pending invoice item). */
export interface PendingLine {
  object: "line_item";
  amount: number;
  currency: string;
  description: string;
  livemode: false;
  metadata: Metadata;
  parent: Record<string, unknown>;
  period: { start: number; end: number };
  pricing: { price_details: { price: string; product: string }; type: "price_details"; unit_amount_decimal: string };
  quantity: number;
  proration: boolean;
  price: Price;
  subscription: string | null;
  [key: string]: unknown;
}

export interface InvoiceLine extends PendingLine {
  id: string;
  invoice: string;
}

export type InvoiceStatus = "draft" | "open" | "paid" | "uncollectible" | "void";

export interface Invoice extends StripeObject {
  object: "invoice";
  customer: string;
  subscription: string | null;
  status: InvoiceStatus;
  billing_reason: "subscription_create" | "subscription_cycle" | "subscription_update" | "manual" | null;
  number: string | null;
  currency: string;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  subtotal: number;
  total: number;
  starting_balance: number;
  ending_balance: number | null;
  attempt_count: number;
  attempted: boolean;
  next_payment_attempt: number | null;
  automatically_finalizes_at: number | null;
  paid: boolean;
  payment_intent: string | null;
  charge: string | null;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
  period_start: number;
  period_end: number;
  lines: ListObject<InvoiceLine>;
  status_transitions: { finalized_at: number | null; marked_uncollectible_at: number | null; paid_at: number | null; voided_at: number | null };
  metadata: Metadata;
  test_clock: string | null;
  parent: Record<string, unknown> | null;
  payments: ListObject<Record<string, unknown>>;
  effective_at: number | null;
  customer_email: string | null;
  customer_name: string | null;
}

export type PaymentIntentStatus =
  | "requires_payment_method"
  | "requires_confirmation"
  | "requires_action"
  | "processing"
  | "requires_capture"
  | "canceled"
  | "succeeded";

export interface PaymentIntent extends StripeObject {
  object: "payment_intent";
  amount: number;
  amount_received: number;
  currency: string;
  customer: string | null;
  description: string | null;
  metadata: Metadata;
  payment_method: string | null;
  status: PaymentIntentStatus;
  latest_charge: string | null;
  last_payment_error: Record<string, unknown> | null;
  setup_future_usage: "off_session" | "on_session" | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  client_secret: string;
}

export interface Charge extends StripeObject {
  object: "charge";
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  currency: string;
  customer: string | null;
  description: string | null;
  metadata: Metadata;
  paid: boolean;
  refunded: boolean;
  status: "succeeded" | "pending" | "failed";
  payment_intent: string | null;
  payment_method: string;
  failure_code: string | null;
  failure_message: string | null;
  refunds: ListObject<Refund>;
}

export interface Refund extends StripeObject {
  object: "refund";
  amount: number;
  charge: string;
  currency: string;
  metadata: Metadata;
  payment_intent: string | null;
  reason: string | null;
  status: "succeeded" | "pending" | "failed" | "canceled";
  /** Present once the refund failed. */
  failure_reason?: string;
}

export type DisputeStatus = "warning_needs_response" | "warning_under_review" | "warning_closed" | "needs_response" | "under_review" | "won" | "lost";

export interface Dispute extends StripeObject {
  object: "dispute";
  amount: number;
  charge: string;
  currency: string;
  metadata: Metadata;
  payment_intent: string | null;
  reason: string;
  status: DisputeStatus;
  is_charge_refundable: boolean;
  evidence: Record<string, string | null | Record<string, unknown>>;
  evidence_details: { due_by: number | null; has_evidence: boolean; past_due: boolean; submission_count: number; enhanced_eligibility: Record<string, unknown> };
}

export interface SchedulePhaseItem {
  price: string;
  quantity: number;
  metadata: Metadata;
  billing_thresholds: null;
  discounts: [];
  plan: string;
  tax_rates: [];
}

export interface SchedulePhase {
  start_date: number;
  end_date: number;
  items: SchedulePhaseItem[];
  metadata: Metadata;
  proration_behavior: "always_invoice" | "create_prorations" | "none";
  trial_end: number | null;
  automatic_tax: AutomaticTaxSetting;
  default_payment_method: string | null;
  [key: string]: unknown;
}

export interface AutomaticTaxSetting {
  disabled_reason: string | null;
  enabled: boolean;
  liability: { type: string } | null;
}

export interface TaxCalculation {
  id: string;
  object: "tax.calculation";
  amount_total: number;
  currency: string;
  customer: string | null;
  customer_details: Record<string, unknown>;
  expires_at: number;
  line_items: ListObject<Record<string, unknown>>;
  livemode: false;
  ship_from_details: null;
  shipping_cost: null;
  tax_amount_exclusive: number;
  tax_amount_inclusive: number;
  tax_breakdown: Record<string, unknown>[];
  tax_date: number;
}

export interface SubscriptionSchedule extends StripeObject {
  object: "subscription_schedule";
  customer: string;
  subscription: string | null;
  status: "not_started" | "active" | "completed" | "released" | "canceled";
  end_behavior: "release" | "cancel";
  phases: SchedulePhase[];
  default_settings: { automatic_tax: AutomaticTaxSetting; default_payment_method: string | null; [key: string]: unknown };
  current_phase: { start_date: number; end_date: number } | null;
  metadata: Metadata;
  released_at: number | null;
  released_subscription: string | null;
  canceled_at: number | null;
  completed_at: number | null;
  test_clock: string | null;
}

export interface PortalSession extends StripeObject {
  object: "billing_portal.session";
  customer: string;
  return_url: string | null;
  url: string;
}

export interface TestClock extends StripeObject {
  object: "test_helpers.test_clock";
  frozen_time: number;
  name: string | null;
  status: "ready" | "advancing" | "internal_failure";
  deletes_after: number;
}

export interface WebhookEndpoint extends StripeObject {
  object: "webhook_endpoint";
  url: string;
  enabled_events: string[];
  status: "enabled" | "disabled";
  secret?: string;
  metadata: Metadata;
  description: string | null;
  api_version: string | null;
}

export interface StripeEvent extends StripeObject {
  object: "event";
  type: string;
  api_version: string;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
}
