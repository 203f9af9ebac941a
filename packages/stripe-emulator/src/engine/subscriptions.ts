import { addInterval, nextBoundary } from "../clock";
import type { Emulator } from "../emulator";
import { invalidRequest } from "../errors";
import { newId } from "../ids";
import type { PendingLine } from "../store";
import type { Invoice, Metadata, Price, Subscription, SubscriptionItem } from "../types";
import { attemptInvoicePayment, createInvoice, finalizeInvoice, subscriptionLine } from "./invoicing";

/** Fields whose change is reported in customer.subscription.updated's previous_attributes. */
export const SUBSCRIPTION_KEYS = [
  "items",
  "status",
  "current_period_start",
  "current_period_end",
  "latest_invoice",
  "cancel_at_period_end",
  "cancel_at",
  "canceled_at",
  "cancellation_details",
  "metadata",
  "default_payment_method",
  "trial_end",
  "trial_start",
  "schedule",
  "plan",
  "quantity",
  "ended_at",
  "automatic_tax",
  "pending_update",
  "billing_mode",
];

export function planOf(price: Price): Record<string, unknown> {
  return {
    id: price.id,
    object: "plan",
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: "per_unit",
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? "month",
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: "licensed",
  };
}

export function newItem(subId: string, price: Price, quantity: number, created: number, period: { start: number; end: number }, metadata: Metadata = {}): SubscriptionItem {
  return {
    id: newId("si", 14),
    object: "subscription_item",
    billing_thresholds: null,
    created,
    current_period_end: period.end,
    current_period_start: period.start,
    discounts: [],
    livemode: false,
    metadata,
    plan: planOf(price),
    price: structuredClone(price),
    quantity,
    subscription: subId,
    tax_rates: [],
  };
}

/** Keeps the legacy single-item fields (plan, quantity) and top-level period in step with the items. */
export function syncDerived(sub: Subscription): void {
  const first = sub.items.data[0];
  sub.plan = sub.items.data.length === 1 && first ? planOf(first.price) : null;
  sub.quantity = sub.items.data.length === 1 && first ? first.quantity : 0;
  sub.items.total_count = sub.items.data.length;
  if (first) {
    sub.current_period_start = first.current_period_start;
    sub.current_period_end = first.current_period_end;
  }
}

export function setPeriod(sub: Subscription, start: number, end: number): void {
  for (const item of sub.items.data) {
    item.current_period_start = start;
    item.current_period_end = end;
  }
  syncDerived(sub);
}

export function primaryRecurring(sub: Subscription): NonNullable<Price["recurring"]> {
  const recurring = sub.items.data[0]?.price.recurring;
  if (!recurring) throw new Error(`subscription ${sub.id} has no recurring item`);
  return recurring;
}

export interface NewSubscription {
  customer: string;
  items: { price: Price; quantity: number; metadata?: Metadata }[];
  metadata: Metadata;
  trialEnd: number | null;
  defaultPaymentMethod: string | null;
  missingPaymentMethod?: "cancel" | "create_invoice" | "pause";
  automaticTax?: boolean;
  description?: string | null;
  /** The first payment was authenticated (3-D Secure) by the customer at checkout. */
  authenticated?: boolean;
  /** Flexible unless classic is asked for, as on Stripe at the pinned API version. */
  billingMode?: "classic" | "flexible";
}

/** A subscription's billing_mode as Stripe shows it. */
export function billingMode(type: "classic" | "flexible", at: number): Subscription["billing_mode"] {
  return type === "flexible" ? { flexible: { proration_discounts: "included" }, type, updated_at: at } : { flexible: null, type };
}

export function validateItems(items: { price: Price }[]): void {
  if (items.length === 0) throw invalidRequest("Missing required param: items.", "items", "parameter_missing");
  const first = items[0]!.price;
  for (const [i, { price }] of items.entries()) {
    if (!price.recurring) throw invalidRequest(`The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`, `items[${i}][price]`);
    if (price.currency !== first.currency) throw invalidRequest("All prices on a subscription must have the same currency.", `items[${i}][price]`);
    if (price.recurring.interval !== first.recurring?.interval || price.recurring.interval_count !== first.recurring.interval_count)
      throw invalidRequest("All prices on a subscription must have the same recurring.interval and recurring.interval_count.", `items[${i}][price]`);
  }
}

/**
 * Creates a subscription and its first invoice. Trialing when `trialEnd` is set (a $0 invoice);
 * otherwise the first period is charged at once: created `incomplete`, then `active` when paid.
 */
export function startSubscription(em: Emulator, input: NewSubscription): { subscription: Subscription; invoice: Invoice; paid: boolean } {
  validateItems(input.items);
  const now = em.now(input.customer);
  const id = newId("sub");
  const first = input.items[0]!.price;
  const recurring = first.recurring!;
  const trialing = input.trialEnd !== null && input.trialEnd > now;
  const periodEnd = trialing ? input.trialEnd! : addInterval(now, recurring.interval, recurring.interval_count);
  const sub: Subscription = {
    id,
    object: "subscription",
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: input.automaticTax ?? false, liability: input.automaticTax ? { type: "self" } : null },
    billing_cycle_anchor: trialing ? periodEnd : now,
    billing_cycle_anchor_config: null,
    billing_mode: billingMode(input.billingMode ?? "flexible", now),
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: "charge_automatically",
    created: now,
    currency: first.currency,
    current_period_end: periodEnd,
    current_period_start: now,
    customer: input.customer,
    customer_account: null,
    days_until_due: null,
    default_payment_method: input.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: input.description ?? null,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, issuer: { type: "self" } },
    items: { object: "list", data: [], has_more: false, total_count: 0, url: `/v1/subscription_items?subscription=${id}` },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: "off" },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    plan: null,
    quantity: 0,
    schedule: null,
    start_date: now,
    status: trialing ? "trialing" : "incomplete",
    test_clock: em.clockOf(input.customer),
    transfer_data: null,
    trial_end: trialing ? input.trialEnd : null,
    trial_settings: { end_behavior: { missing_payment_method: input.missingPaymentMethod ?? "create_invoice" } },
    trial_start: trialing ? now : null,
  };
  sub.items.data = input.items.map((i) => newItem(id, i.price, i.quantity, now, { start: now, end: periodEnd }, i.metadata));
  syncDerived(sub);
  em.store.put(em.store.subscriptions, sub);
  em.emit("customer.subscription.created", sub);

  const lines: PendingLine[] = sub.items.data.map((item) =>
    trialing
      ? subscriptionLine(sub, item.id, item.price, item.quantity, 0, { start: now, end: periodEnd }, `Trial period for ${productName(em, item.price)}`, false)
      : subscriptionLine(sub, item.id, item.price, item.quantity, item.price.unit_amount * item.quantity, { start: now, end: periodEnd }, describeLine(em, item.price, item.quantity), false),
  );
  const invoice = createInvoice(em, { customer: sub.customer, subscription: sub, billingReason: "subscription_create", lines, periodStart: now, periodEnd: now, created: now, currency: sub.currency });
  sub.latest_invoice = invoice.id;
  finalizeInvoice(em, invoice, now);
  const paid = attemptInvoicePayment(em, invoice, now, undefined, { authenticated: input.authenticated });
  if (paid && sub.status === "incomplete") {
    const before = structuredClone(sub);
    sub.status = "active";
    em.emitChange("customer.subscription.updated", before, sub, SUBSCRIPTION_KEYS);
  }
  return { subscription: sub, invoice, paid };
}

export function productName(em: Emulator, price: Price): string {
  return em.store.products.get(price.product)?.name ?? price.nickname ?? price.id;
}

export function describeLine(em: Emulator, price: Price, quantity: number): string {
  const amount = (price.unit_amount / 100).toFixed(2);
  const per = price.recurring ? `/ ${price.recurring.interval}` : "";
  return `${quantity} × ${productName(em, price)} (at $${amount} ${per})`.replace(/\s+\)/, ")");
}

/** Ends a subscription now (customer.subscription.deleted). */
export function cancelNow(em: Emulator, sub: Subscription, at: number, reason: "cancellation_requested" | "payment_failed" | "payment_disputed" = "cancellation_requested"): void {
  if (sub.status === "canceled") return;
  sub.status = "canceled";
  sub.canceled_at = sub.canceled_at ?? at;
  sub.ended_at = at;
  sub.cancellation_details = { ...sub.cancellation_details, reason };
  if (sub.schedule) {
    const schedule = em.store.schedules.get(sub.schedule);
    if (schedule && schedule.status === "active") {
      schedule.status = "canceled";
      schedule.canceled_at = at;
      em.emit("subscription_schedule.canceled", schedule);
    }
  }
  em.emit("customer.subscription.deleted", sub);
}

/** Builds renewal lines for the items over a period, plus pending prorations. */
export function cycleLines(em: Emulator, sub: Subscription, start: number, end: number): PendingLine[] {
  const pending = em.store.pendingLines.get(sub.id) ?? [];
  em.store.pendingLines.delete(sub.id);
  return [
    ...pending,
    ...sub.items.data.map((item) => subscriptionLine(sub, item.id, item.price, item.quantity, item.price.unit_amount * item.quantity, { start, end }, describeLine(em, item.price, item.quantity), false)),
  ];
}

/** The next period's end from the subscription's anchor. */
export function nextPeriodEnd(sub: Subscription, start: number): number {
  return nextBoundary(sub.billing_cycle_anchor, primaryRecurring(sub), start);
}
