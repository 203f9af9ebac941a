import { GIVE_BACK_STATUSES, grantExtras } from "@/lib/billing";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { invoicePaymentIntentId, invoiceSubscriptionId, stripe, type Stripe } from "@/lib/stripe";
import type { Client } from "./db";
import { declineReason } from "./declines";
import { workspaceIdFor } from "./lookup";
import { recordLifecycleEmail } from "@/lib/email/lifecycle/record";
import { alertOperators } from "./notices";
import { applyPaymentRefundsRead, readPaymentRefunds, type PaymentRefundsRead } from "./refunds";
import { applySubscriptionRead, readSubscription, type SubscriptionRead } from "./subscription-sync";

const toDate = (t: number | null | undefined) => (t ? new Date(t * 1000) : null);
const GRANTING = new Set(["subscription_create", "subscription_cycle", "subscription_update"]);

/** Why an open invoice is not paid, from its payment as Stripe has it now (null when nothing is wrong). */
export interface PaymentState {
  issue: "requires_action" | "declined" | null;
  error: string | null;
}

/** Reads the invoice's payment intent when the invoice is open and was attempted: does it wait for 3-D Secure, or was it declined? */
async function paymentState(invoice: Stripe.Invoice): Promise<PaymentState> {
  const piId = invoice.status === "open" ? invoicePaymentIntentId(invoice) : null;
  if (!piId) return { issue: null, error: null };
  const pi = await stripe().paymentIntents.retrieve(piId);
  if (pi.status === "requires_action") return { issue: "requires_action", error: null };
  if (pi.status === "requires_payment_method" && pi.last_payment_error) return { issue: "declined", error: declineReason(pi.last_payment_error) };
  return { issue: null, error: null };
}

const invoiceWorkspace = (db: Client, invoice: Stripe.Invoice) =>
  workspaceIdFor(db, { metadata: invoice.parent?.subscription_details?.metadata ?? null, customer: invoice.customer });

/** Writes the invoice as Stripe has it now (for the invoices page and the billing alerts); returns its workspace, if it is one of ours. */
export async function upsertInvoice(tx: Tx, invoice: Stripe.Invoice, payment: PaymentState = { issue: null, error: null }): Promise<string | null> {
  const workspaceId = await invoiceWorkspace(tx, invoice);
  if (!workspaceId || !invoice.id) return null;
  const data = {
    workspaceId,
    number: invoice.number,
    status: invoice.status ?? "draft",
    currency: invoice.currency,
    amountDueCents: invoice.amount_due,
    amountPaidCents: invoice.amount_paid,
    hostedUrl: invoice.hosted_invoice_url ?? null,
    pdfUrl: invoice.invoice_pdf ?? null,
    periodStart: toDate(invoice.period_start),
    periodEnd: toDate(invoice.period_end),
    createdAt: new Date(invoice.created * 1000),
    paidAt: toDate(invoice.status_transitions?.paid_at),
    billingReason: invoice.billing_reason ?? null,
    paymentIssue: payment.issue,
    paymentError: payment.error,
    finalizationError: invoice.status === "draft" ? (invoice.last_finalization_error?.message ?? null) : null,
  };
  await tx.invoice.upsert({ where: { stripeInvoiceId: invoice.id }, create: { stripeInvoiceId: invoice.id, ...data }, update: data });
  return workspaceId;
}

/** What an invoice event read from Stripe, for its apply phase (applyInvoiceRead). */
export interface InvoiceRead {
  type: string;
  invoice: Stripe.Invoice;
  payment: PaymentState;
  /** The subscription's read phase, when the event syncs the subscription of one of our workspaces. */
  subscription: SubscriptionRead | null;
  /** The refunds of the payment a grant would come with, as Stripe has them now (a refund may be seen before the grant). */
  grantRefunds: PaymentRefundsRead | null;
}

const isPaidEvent = (type: string) => type === "invoice.paid" || type === "invoice.payment_succeeded";
/** A paid subscription invoice that grants the plan's extras (start, renewal, upgrade), once per invoice. */
const grants = (type: string, invoice: Stripe.Invoice) =>
  isPaidEvent(type) && invoice.status === "paid" && invoice.amount_paid > 0 && GRANTING.has(invoice.billing_reason ?? "");
/** A failed, waiting or paid payment changes the subscription (dunning, the plan paid for): such events sync it. */
const syncsSubscription = (type: string, invoice: Stripe.Invoice) =>
  type === "invoice.payment_failed" || type === "invoice.payment_action_required" || (isPaidEvent(type) && invoice.status === "paid");

/**
 * The read phase of an invoice event: the invoice, its payment and, when the event syncs the subscription,
 * the subscription's read phase. Stripe calls and plain reads only: the webhook runs it before its transaction.
 */
export async function readInvoiceEvent(db: Client, type: string, invoiceId: string): Promise<InvoiceRead> {
  const invoice = await stripe().invoices.retrieve(invoiceId, { expand: ["payments"] });
  const payment = await paymentState(invoice);
  const subscriptionId = invoiceSubscriptionId(invoice);
  const workspaceId = subscriptionId && syncsSubscription(type, invoice) ? await invoiceWorkspace(db, invoice) : null;
  const subscription = subscriptionId && workspaceId ? await readSubscription(db, { subscriptionId, workspaceId }) : null;
  const paidBy = grants(type, invoice) ? invoicePaymentIntentId(invoice) : null;
  return { type, invoice, payment, subscription, grantRefunds: paidBy ? await readPaymentRefunds(paidBy) : null };
}

/**
 * Any invoice event: re-read the invoice (and its payment) and store it, so the app says what Stripe says now
 * whatever order events come in. A payment waiting for 3-D Secure is shown with the hosted invoice link and
 * the owners are told once per invoice; an invoice Stripe could not finalise is shown and operators are told.
 * A paid subscription invoice (start, renewal, upgrade) first brings the subscription up to date (clearing
 * dunning, setting the plan it paid for), then grants the plan's extras once per invoice. A failed payment
 * syncs the subscription, which starts dunning (a pending upgrade's invoice does not: Stripe keeps the
 * subscription active and the old plan until it is paid).
 */
type InvoiceOutcome = { workspaceId: string | null; granted: boolean; notifications: string[] };

/** The apply phase of an invoice event (read by readInvoiceEvent): database work only, in the caller's transaction. */
export async function applyInvoiceRead(tx: Tx, read: InvoiceRead, now: Date): Promise<InvoiceOutcome> {
  const { type, invoice, payment } = read;
  const workspaceId = await upsertInvoice(tx, invoice, payment);
  const notifications: string[] = [];
  if (!workspaceId) return { workspaceId: null, granted: false, notifications };
  notifications.push(...(await noticePaymentIssue(tx, workspaceId, invoice, payment, now)));
  if (invoice.status === "draft" && invoice.last_finalization_error) {
    await alertOperators(tx, {
      kind: "invoice_finalization_failed", workspaceId, subjectId: invoice.id!, dedupeKey: `invoice_finalization_failed:${invoice.id}`, now,
      message: `Stripe could not finalise invoice ${invoice.id} (${invoice.last_finalization_error.code ?? "error"}): ${invoice.last_finalization_error.message ?? ""}`,
    });
  }
  const subscriptionId = invoiceSubscriptionId(invoice);
  if (!subscriptionId) return { workspaceId, granted: false, notifications };

  if (syncsSubscription(type, invoice)) {
    // The workspace was looked up before the transaction; one found only now (its customer recorded meanwhile)
    // has no subscription read: fail, so the retry reads it, rather than skip the sync.
    if (read.subscription?.workspaceId !== workspaceId) throw new AppError("conflict", `Invoice ${invoice.id} found its workspace while it was read; retrying.`);
    await applySubscriptionRead(tx, read.subscription, now);
  }
  if (!grants(type, invoice)) return { workspaceId, granted: false, notifications };
  const sub = await tx.subscription.findUnique({ where: { workspaceId } });
  if (!sub || sub.stripeSubscriptionId !== subscriptionId || sub.status === "unpaid" || sub.status === "free") return { workspaceId, granted: false, notifications };
  const paidBy = invoicePaymentIntentId(invoice);
  const lot = await grantExtras(tx, { workspaceId, invoiceId: invoice.id!, payment: paidBy ? { paymentIntentId: paidBy, amountCents: invoice.amount_paid, currency: invoice.currency } : null, now });
  // Refunds of that payment Stripe already had (their events may have come before this one, and found no grant
  // then): each applied once, as its own event would have; only those whose outcome is settled (a pending one's own
  // later event finds the grant), and only to a grant that carries this payment (grants older than that do not).
  if (lot && paidBy && read.grantRefunds) {
    const settled = read.grantRefunds.refunds.filter((r) => r.status === "succeeded" || (GIVE_BACK_STATUSES as readonly (string | null)[]).includes(r.status));
    const carries = lot.created || (await tx.extrasLot.count({ where: { id: lot.lotId, paymentIntentId: paidBy } })) > 0;
    if (settled.length && carries) await applyPaymentRefundsRead(tx, { ...read.grantRefunds, refunds: settled });
  }
  return { workspaceId, granted: !!lot?.created, notifications };
}

/**
 * The owners are told once per invoice that its payment needs them: to confirm it (3-D Secure, on Stripe's
 * hosted invoice page) or, declined, to update the card before dunning goes further.
 */
async function noticePaymentIssue(tx: Tx, workspaceId: string, invoice: Stripe.Invoice, payment: PaymentState, now: Date): Promise<string[]> {
  const base = { invoice: invoice.number ?? invoice.id!, amount: { cents: invoice.amount_due, currency: invoice.currency } };
  let id: string | null = null;
  if (payment.issue === "requires_action" && invoice.hosted_invoice_url) {
    id = await recordLifecycleEmail(tx, {
      workspaceId, kind: "payment_action_required", dedupeKey: `payment_action_required:${invoice.id}`, now,
      data: { ...base, hostedUrl: invoice.hosted_invoice_url, planChange: invoice.billing_reason === "subscription_update" },
    });
  } else if (payment.issue === "declined") {
    id = await recordLifecycleEmail(tx, {
      workspaceId, kind: "payment_failed", dedupeKey: `payment_failed:${invoice.id}`, now,
      data: { ...base, reason: payment.error, hostedUrl: invoice.hosted_invoice_url ?? null },
    });
  }
  return id ? [id] : [];
}

