import type { Emulator } from "../emulator";
import { newId } from "../ids";
import type { PendingLine } from "../store";
import type { Invoice, InvoiceLine, PaymentIntent, Price, Subscription } from "../types";
import { confirmPaymentIntent, createPaymentIntent, failAuthentication, type ConfirmOptions } from "./payments";
import { applyInvoiceTax } from "./tax";

const DAY = 86_400;

export type BillingReason = "subscription_create" | "subscription_cycle" | "subscription_update" | "manual";

/** A subscription line for one item over a period (proration lines carry `proration: true`). */
export function subscriptionLine(sub: Subscription, itemId: string, price: Price, quantity: number, amount: number, period: { start: number; end: number }, description: string, proration: boolean): PendingLine {
  return {
    object: "line_item",
    amount,
    currency: price.currency,
    description,
    discount_amounts: [],
    discountable: !proration,
    discounts: [],
    livemode: false,
    metadata: {},
    parent: {
      invoice_item_details: null,
      subscription_item_details: { invoice_item: null, proration, proration_details: { credited_items: null }, subscription: sub.id, subscription_item: itemId },
      type: "subscription_item_details",
    },
    period,
    pretax_credit_amounts: [],
    pricing: { price_details: { price: price.id, product: price.product }, type: "price_details", unit_amount_decimal: price.unit_amount_decimal },
    quantity,
    quantity_decimal: String(quantity),
    subtotal: amount,
    taxes: [],
    price,
    proration,
    subscription: sub.id,
    type: "subscription",
  };
}

export interface NewInvoice {
  customer: string;
  subscription: Subscription | null;
  billingReason: BillingReason;
  lines: PendingLine[];
  periodStart: number;
  periodEnd: number;
  created: number;
  currency: string;
  /** When the clock finalizes and charges the draft by itself (a renewal: an hour after it is created). */
  finalizesAt?: number;
}

/** Creates a draft invoice (invoice.created). */
export function createInvoice(em: Emulator, input: NewInvoice): Invoice {
  const invoice = draftInvoice(em, input, newId("in"));
  em.store.put(em.store.invoices, invoice);
  em.emit("invoice.created", invoice);
  return invoice;
}

/** A draft invoice's object, taxed as its subscription is, neither stored nor announced (an invoice preview stops here). */
export function draftInvoice(em: Emulator, input: NewInvoice, id: string): Invoice {
  const customer = em.store.customers.get(input.customer);
  const lines: InvoiceLine[] = input.lines.map((l) => ({ ...l, id: newId("il"), invoice: id }));
  const total = lines.reduce((s, l) => s + l.amount, 0);
  const sub = input.subscription;
  const invoice: Invoice = {
    id,
    object: "invoice",
    account_country: "US",
    account_name: em.config.accountName,
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: input.finalizesAt ?? null,
    billing_reason: input.billingReason,
    charge: null,
    collection_method: "charge_automatically",
    created: input.created,
    currency: input.currency,
    custom_fields: null,
    customer: input.customer,
    customer_account: null,
    customer_address: null,
    customer_email: customer?.email ?? null,
    customer_name: customer?.name ?? null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: "none",
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: "self" },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: "list", data: lines, has_more: false, total_count: lines.length, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    paid: false,
    parent: sub ? { quote_details: null, subscription_details: { metadata: { ...sub.metadata }, subscription: sub.id }, type: "subscription_details" } : null,
    payment_intent: null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    payments: { object: "list", data: [], has_more: false, total_count: 0, url: `/v1/invoice_payments?invoice=${id}` },
    period_end: input.periodEnd,
    period_start: input.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: "draft",
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subscription: sub?.id ?? null,
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: em.clockOf(input.customer),
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
  // The subscription's automatic tax as it stands when the invoice is drafted (a schedule's phase may have changed it).
  if (sub && (sub.automatic_tax as { enabled?: boolean } | undefined)?.enabled) applyInvoiceTax(em, invoice);
  return invoice;
}

/**
 * Stripe Tax cannot place a customer whose address it does not recognise: here, an address with no country,
 * or a US address whose postal code is not a ZIP code. (A customer with no address at all is taxed at the
 * configured rate, a simplification: Stripe would need a location too.)
 */
export function taxLocationInvalid(em: Emulator, customerId: string): boolean {
  const address = em.store.customers.get(customerId)?.address as { country?: string | null; postal_code?: string | null } | null | undefined;
  if (!address) return false;
  if (!address.country) return true;
  return address.country === "US" && !/^\d{5}(-\d{4})?$/.test(address.postal_code ?? "");
}

/**
 * Finalizes: a number, the customer's credit balance applied, status open (invoice.finalized). With automatic
 * tax on and a customer Stripe Tax cannot locate, finalization fails as on Stripe: the invoice stays a draft
 * with `last_finalization_error` (customer_tax_location_invalid) and invoice.finalization_failed fires.
 * Returns whether the invoice is open.
 */
export function finalizeInvoice(em: Emulator, invoice: Invoice, at: number): boolean {
  if ((invoice.automatic_tax as { enabled?: boolean } | undefined)?.enabled && taxLocationInvalid(em, invoice.customer)) {
    invoice.last_finalization_error = {
      code: "customer_tax_location_invalid",
      doc_url: "https://stripe.com/docs/error-codes/customer-tax-location-invalid",
      message: "The customer's location isn't recognized. Set a valid customer address in order to automatically calculate tax.",
      param: "customer",
      type: "invalid_request_error",
    };
    invoice.automatic_tax = { ...(invoice.automatic_tax as Record<string, unknown>), status: "requires_location_inputs" };
    // Stripe stops advancing it by itself: it waits for the address to be fixed and a finalize call.
    invoice.automatically_finalizes_at = null;
    em.emit("invoice.finalization_failed", invoice);
    return false;
  }
  const customer = em.store.customers.get(invoice.customer);
  if (customer) {
    const seq = (em.store.invoiceCounter.get(customer.id) ?? 0) + 1;
    em.store.invoiceCounter.set(customer.id, seq);
    invoice.number = `${customer.invoice_prefix}-${String(seq).padStart(4, "0")}`;
    invoice.starting_balance = customer.balance;
    const applied = invoice.total + customer.balance;
    invoice.amount_due = Math.max(0, applied);
    customer.balance = Math.min(0, applied);
    invoice.ending_balance = customer.balance;
  } else {
    invoice.amount_due = Math.max(0, invoice.total);
  }
  invoice.last_finalization_error = null;
  invoice.automatically_finalizes_at = null;
  if ((invoice.automatic_tax as { enabled?: boolean } | undefined)?.enabled) invoice.automatic_tax = { ...(invoice.automatic_tax as Record<string, unknown>), status: "complete" };
  invoice.amount_remaining = invoice.amount_due;
  invoice.status = "open";
  invoice.effective_at = at;
  invoice.status_transitions.finalized_at = at;
  invoice.hosted_invoice_url = `${em.config.publicUrl}/invoices/${invoice.id}`;
  invoice.invoice_pdf = `${em.config.publicUrl}/invoices/${invoice.id}/pdf`;
  em.emit("invoice.finalized", invoice);
  return true;
}

/** Marks an invoice paid (invoice.paid, invoice.payment_succeeded), applies a pending update it paid for and brings its subscription back to active. */
export function markInvoicePaid(em: Emulator, invoice: Invoice, at: number): void {
  invoice.status = "paid";
  invoice.paid = true;
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.paid_at = at;
  const payment = invoice.payments.data[0];
  if (payment) Object.assign(payment, { amount_paid: invoice.amount_paid, status: "paid", status_transitions: { canceled_at: null, paid_at: at } });
  em.store.dunning.delete(invoice.id);
  em.emit("invoice.paid", invoice);
  em.emit("invoice.payment_succeeded", invoice);
  const sub = invoice.subscription ? em.store.subscriptions.get(invoice.subscription) : undefined;
  const pending = sub ? em.store.pendingUpdates.get(sub.id) : undefined;
  if (sub && pending?.invoice === invoice.id) {
    em.store.pendingUpdates.delete(sub.id);
    pending.apply(at);
  }
  if (sub && (sub.status === "past_due" || sub.status === "unpaid" || sub.status === "incomplete")) {
    const stillOpen = [...em.store.invoices.values()].some((i) => i.subscription === sub.id && i.status === "open" && i.id !== invoice.id);
    if (!stillOpen) {
      const before = structuredClone(sub);
      sub.status = "active";
      em.emitChange("customer.subscription.updated", before, sub, ["status"]);
    }
  }
}

/** Whether the invoice bills a change made with payment_behavior=pending_if_incomplete that waits for it. */
export function isPendingUpdateInvoice(em: Emulator, invoice: Invoice): boolean {
  return !!invoice.subscription && em.store.pendingUpdates.get(invoice.subscription)?.invoice === invoice.id;
}

/**
 * Drops a subscription's pending update: its invoice is voided (unless `keepInvoice`, when the invoice is
 * being voided anyway) and the subscription goes on as if the change was never asked for.
 * `expired` when its time ran out (customer.subscription.pending_update_expired).
 */
export function discardPendingUpdate(em: Emulator, sub: Subscription, at: number, opts: { expired: boolean; keepInvoice?: boolean }): void {
  const record = em.store.pendingUpdates.get(sub.id);
  em.store.pendingUpdates.delete(sub.id);
  const invoice = record ? em.store.invoices.get(record.invoice) : undefined;
  if (invoice && invoice.status === "open" && !opts.keepInvoice) voidInvoice(em, invoice, at);
  if (!sub.pending_update) return;
  const before = structuredClone(sub);
  sub.pending_update = null;
  if (opts.expired) em.emit("customer.subscription.pending_update_expired", sub);
  em.emitChange("customer.subscription.updated", before, sub, ["pending_update"]);
}

export function expirePendingUpdate(em: Emulator, sub: Subscription, at: number): void {
  discardPendingUpdate(em, sub, at, { expired: true });
}

/** Voids an open invoice (invoice.voided); a pending update it was paying for is dropped. */
export function voidInvoice(em: Emulator, invoice: Invoice, at: number): void {
  invoice.status = "void";
  invoice.next_payment_attempt = null;
  invoice.status_transitions.voided_at = at;
  const payment = invoice.payments.data[0];
  if (payment) Object.assign(payment, { status: "canceled", status_transitions: { canceled_at: at, paid_at: null } });
  em.store.dunning.delete(invoice.id);
  em.emit("invoice.voided", invoice);
  const sub = invoice.subscription ? em.store.subscriptions.get(invoice.subscription) : undefined;
  if (sub && em.store.pendingUpdates.get(sub.id)?.invoice === invoice.id) discardPendingUpdate(em, sub, at, { expired: false, keepInvoice: true });
}

/** The card an invoice is charged to: the subscription's default, else the customer's. */
export function invoicePaymentMethod(em: Emulator, invoice: Invoice): string | null {
  const sub = invoice.subscription ? em.store.subscriptions.get(invoice.subscription) : undefined;
  const customer = em.store.customers.get(invoice.customer);
  return sub?.default_payment_method ?? customer?.invoice_settings.default_payment_method ?? null;
}

/**
 * One payment attempt. A zero amount is paid at once. A card that needs 3-D Secure leaves the invoice open
 * with its payment `requires_action` (invoice.payment_failed, then invoice.payment_action_required): the
 * customer authenticates on the hosted invoice page. A failure emits invoice.payment_failed, sets the
 * subscription past_due and plans the next retry per the dunning schedule; the invoice of a pending update
 * changes neither (the subscription goes on as if the change had not been asked for).
 */
export function attemptInvoicePayment(em: Emulator, invoice: Invoice, at: number, paymentMethod?: string | null, opts: ConfirmOptions = {}): boolean {
  if (invoice.status !== "open") return invoice.status === "paid";
  if (invoice.amount_due === 0) {
    markInvoicePaid(em, invoice, at);
    return true;
  }
  const pmId = paymentMethod ?? invoicePaymentMethod(em, invoice);
  invoice.attempt_count += 1;
  invoice.attempted = true;
  let ok = false;
  if (pmId) {
    const pi = invoicePaymentIntent(em, invoice, pmId, at);
    pi.payment_method = pmId;
    confirmPaymentIntent(em, pi, at, opts);
    invoice.charge = pi.latest_charge;
    if (pi.status === "processing") return false;
    ok = pi.status === "succeeded";
  }
  if (ok) {
    markInvoicePaid(em, invoice, at);
    return true;
  }
  recordFailure(em, invoice, at);
  return false;
}

/** The invoice's payment intent (made at its first attempt, with the invoice payment that links them). */
export function invoicePaymentIntent(em: Emulator, invoice: Invoice, pmId: string | null, at: number): PaymentIntent {
  const existing = invoice.payment_intent ? em.store.paymentIntents.get(invoice.payment_intent) : undefined;
  if (existing) return existing;
  const pi = createPaymentIntent(em, {
    amount: invoice.amount_due,
    currency: invoice.currency,
    customer: invoice.customer,
    paymentMethod: pmId,
    description: invoice.billing_reason === "manual" ? null : "Subscription " + (invoice.billing_reason === "subscription_create" ? "creation" : "update"),
    created: at,
  });
  invoice.payment_intent = pi.id;
  invoice.payments.data = [
    {
      id: newId("inpay"),
      object: "invoice_payment",
      amount_paid: null,
      amount_requested: invoice.amount_due,
      created: at,
      currency: invoice.currency,
      invoice: invoice.id,
      is_default: true,
      livemode: false,
      payment: { payment_intent: pi.id, type: "payment_intent" },
      status: "open",
      status_transitions: { canceled_at: null, paid_at: null },
    },
  ];
  invoice.payments.total_count = 1;
  return pi;
}

/** The invoice's payment waits for 3-D Secure, or its last challenge failed (the customer may try again). */
export function awaitingAuthentication(em: Emulator, invoice: Invoice): boolean {
  const pi = invoice.payment_intent ? em.store.paymentIntents.get(invoice.payment_intent) : undefined;
  if (invoice.status !== "open" || !pi) return false;
  return pi.status === "requires_action" || (pi.last_payment_error as { code?: string } | null)?.code === "payment_intent_authentication_failure";
}

/** A payment that needed the customer's authentication, completed (or failed) on a hosted page. */
export function authenticateInvoicePayment(em: Emulator, invoice: Invoice, at: number, outcome: "complete" | "fail"): boolean {
  const pi = invoice.payment_intent ? em.store.paymentIntents.get(invoice.payment_intent) : undefined;
  if (!pi || !awaitingAuthentication(em, invoice)) return invoice.status === "paid";
  if (outcome === "fail") {
    failAuthentication(em, pi);
    return false;
  }
  const failure = confirmPaymentIntent(em, pi, at, { authenticated: true });
  invoice.charge = pi.latest_charge;
  if (failure) {
    recordFailure(em, invoice, at);
    return false;
  }
  markInvoicePaid(em, invoice, at);
  return true;
}

function recordFailure(em: Emulator, invoice: Invoice, at: number): void {
  const sub = invoice.subscription ? em.store.subscriptions.get(invoice.subscription) : undefined;
  const pendingUpdate = isPendingUpdateInvoice(em, invoice);
  const { retryDays } = em.config.dunning;
  let state = em.store.dunning.get(invoice.id);
  if (!state) {
    state = { firstFailedAt: at, retriesDone: 0 };
    em.store.dunning.set(invoice.id, state);
  } else {
    state.retriesDone += 1;
  }
  const nextDay = retryDays[state.retriesDone];
  const retries = sub && !pendingUpdate && sub.status !== "incomplete" && sub.status !== "unpaid" && invoice.billing_reason !== "subscription_create";
  invoice.next_payment_attempt = retries && nextDay !== undefined ? state.firstFailedAt + nextDay * DAY : null;
  em.emit("invoice.payment_failed", invoice);
  const pi = invoice.payment_intent ? em.store.paymentIntents.get(invoice.payment_intent) : undefined;
  if (pi?.status === "requires_action") em.emit("invoice.payment_action_required", invoice);
  if (!sub || pendingUpdate) return;
  if (sub.status === "active" || sub.status === "trialing") {
    const before = structuredClone(sub);
    sub.status = "past_due";
    em.emitChange("customer.subscription.updated", before, sub, ["status"]);
  }
}

/** Stripe-like rounding of a prorated amount. */
export function prorate(amount: number, remaining: number, total: number): number {
  if (total <= 0) return 0;
  return Math.round((amount * remaining) / total);
}
