import type { Emulator } from "../emulator";
import { newId } from "../ids";
import type { PendingLine } from "../store";
import type { Invoice, InvoiceLine, Price, Subscription } from "../types";
import { confirmPaymentIntent, createPaymentIntent } from "./payments";
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
}

/** Creates a draft invoice (invoice.created). */
export function createInvoice(em: Emulator, input: NewInvoice): Invoice {
  const id = newId("in");
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
    automatically_finalizes_at: null,
    billing_reason: input.billingReason,
    charge: null,
    collection_method: "charge_automatically",
    created: input.created,
    currency: input.currency,
    custom_fields: null,
    customer: input.customer,
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
  em.store.put(em.store.invoices, invoice);
  em.emit("invoice.created", invoice);
  return invoice;
}

/** Finalizes: a number, the customer's credit balance applied, status open (invoice.finalized). */
export function finalizeInvoice(em: Emulator, invoice: Invoice, at: number): void {
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
  invoice.amount_remaining = invoice.amount_due;
  invoice.status = "open";
  invoice.effective_at = at;
  invoice.status_transitions.finalized_at = at;
  invoice.hosted_invoice_url = `${em.config.publicUrl}/invoices/${invoice.id}`;
  invoice.invoice_pdf = `${em.config.publicUrl}/invoices/${invoice.id}/pdf`;
  em.emit("invoice.finalized", invoice);
}

/** Marks an invoice paid (invoice.paid, invoice.payment_succeeded) and brings its subscription back to active. */
export function markInvoicePaid(em: Emulator, invoice: Invoice, at: number): void {
  invoice.status = "paid";
  invoice.paid = true;
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.paid_at = at;
  if (invoice.payment_intent) {
    invoice.payments.data = [
      {
        id: newId("inpay"),
        object: "invoice_payment",
        amount_paid: invoice.amount_paid,
        amount_requested: invoice.amount_due,
        created: at,
        currency: invoice.currency,
        invoice: invoice.id,
        is_default: true,
        livemode: false,
        payment: { payment_intent: invoice.payment_intent, type: "payment_intent" },
        status: "paid",
        status_transitions: { canceled_at: null, paid_at: at },
      },
    ];
    invoice.payments.total_count = 1;
  }
  em.store.dunning.delete(invoice.id);
  em.emit("invoice.paid", invoice);
  em.emit("invoice.payment_succeeded", invoice);
  const sub = invoice.subscription ? em.store.subscriptions.get(invoice.subscription) : undefined;
  if (sub && (sub.status === "past_due" || sub.status === "unpaid" || sub.status === "incomplete")) {
    const stillOpen = [...em.store.invoices.values()].some((i) => i.subscription === sub.id && i.status === "open" && i.id !== invoice.id);
    if (!stillOpen) {
      const before = structuredClone(sub);
      sub.status = "active";
      em.emitChange("customer.subscription.updated", before, sub, ["status"]);
    }
  }
}

/** The card an invoice is charged to: the subscription's default, else the customer's. */
export function invoicePaymentMethod(em: Emulator, invoice: Invoice): string | null {
  const sub = invoice.subscription ? em.store.subscriptions.get(invoice.subscription) : undefined;
  const customer = em.store.customers.get(invoice.customer);
  return sub?.default_payment_method ?? customer?.invoice_settings.default_payment_method ?? null;
}

/**
 * One payment attempt. A zero amount is paid at once. A failure emits invoice.payment_failed,
 * sets the subscription past_due and plans the next retry per the dunning schedule.
 */
export function attemptInvoicePayment(em: Emulator, invoice: Invoice, at: number, paymentMethod?: string | null): boolean {
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
    let pi = invoice.payment_intent ? em.store.paymentIntents.get(invoice.payment_intent) : undefined;
    if (!pi) {
      pi = createPaymentIntent(em, {
        amount: invoice.amount_due,
        currency: invoice.currency,
        customer: invoice.customer,
        paymentMethod: pmId,
        description: invoice.billing_reason === "manual" ? null : "Subscription " + (invoice.billing_reason === "subscription_create" ? "creation" : "update"),
        created: at,
      });
      invoice.payment_intent = pi.id;
    }
    pi.payment_method = pmId;
    ok = confirmPaymentIntent(em, pi, at) === null;
    invoice.charge = pi.latest_charge;
  }
  if (ok) {
    markInvoicePaid(em, invoice, at);
    return true;
  }
  recordFailure(em, invoice, at);
  return false;
}

function recordFailure(em: Emulator, invoice: Invoice, at: number): void {
  const sub = invoice.subscription ? em.store.subscriptions.get(invoice.subscription) : undefined;
  const { retryDays } = em.config.dunning;
  let state = em.store.dunning.get(invoice.id);
  if (!state) {
    state = { firstFailedAt: at, retriesDone: 0 };
    em.store.dunning.set(invoice.id, state);
  } else {
    state.retriesDone += 1;
  }
  const nextDay = retryDays[state.retriesDone];
  const retries = sub && sub.status !== "incomplete" && sub.status !== "unpaid" && invoice.billing_reason !== "subscription_create";
  invoice.next_payment_attempt = retries && nextDay !== undefined ? state.firstFailedAt + nextDay * DAY : null;
  em.emit("invoice.payment_failed", invoice);
  if (!sub) return;
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
