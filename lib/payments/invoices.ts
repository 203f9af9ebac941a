import { grantExtras } from "@/lib/billing";
import type { Tx } from "@/lib/db";
import { invoiceSubscriptionId, stripe, type Stripe } from "@/lib/stripe";
import { workspaceIdFor } from "./lookup";
import { syncSubscription } from "./subscription-sync";

const toDate = (t: number | null | undefined) => (t ? new Date(t * 1000) : null);
const GRANTING = new Set(["subscription_create", "subscription_cycle", "subscription_update"]);

/** Writes the invoice as Stripe has it now (for the invoices page); returns its workspace, if it is one of ours. */
export async function upsertInvoice(tx: Tx, invoice: Stripe.Invoice): Promise<string | null> {
  const workspaceId = await workspaceIdFor(tx, { metadata: invoice.parent?.subscription_details?.metadata ?? null, customer: invoice.customer });
  if (!workspaceId || !invoice.id) return null;
  const data = {
    workspaceId,
    number: invoice.number,
    status: invoice.status ?? "draft",
    currency: invoice.currency,
    amountDueCents: invoice.amount_due,
    amountPaidCents: invoice.amount_paid,
    hostedUrl: invoice.hosted_invoice_url ?? null,
    periodStart: toDate(invoice.period_start),
    periodEnd: toDate(invoice.period_end),
    createdAt: new Date(invoice.created * 1000),
    paidAt: toDate(invoice.status_transitions?.paid_at),
  };
  await tx.invoice.upsert({ where: { stripeInvoiceId: invoice.id }, create: { stripeInvoiceId: invoice.id, ...data }, update: data });
  return workspaceId;
}

/**
 * Any invoice event: re-read the invoice and store it. A paid subscription invoice (start, renewal, upgrade)
 * first brings the subscription up to date (clearing dunning, setting the plan it paid for), then grants the
 * plan's extras once per invoice. A failed payment syncs the subscription, which starts dunning.
 */
export async function applyInvoiceEvent(tx: Tx, type: string, invoiceId: string, now: Date): Promise<{ workspaceId: string | null; granted: boolean }> {
  const invoice = await stripe().invoices.retrieve(invoiceId);
  const workspaceId = await upsertInvoice(tx, invoice);
  if (!workspaceId) return { workspaceId: null, granted: false };
  const subscriptionId = invoiceSubscriptionId(invoice);
  if (!subscriptionId) return { workspaceId, granted: false };

  const paidEvent = type === "invoice.paid" || type === "invoice.payment_succeeded";
  if (type === "invoice.payment_failed" || (paidEvent && invoice.status === "paid")) {
    await syncSubscription(tx, { subscriptionId, workspaceId, now });
  }
  if (!paidEvent || invoice.status !== "paid" || invoice.amount_paid <= 0 || !GRANTING.has(invoice.billing_reason ?? "")) return { workspaceId, granted: false };
  const sub = await tx.subscription.findUnique({ where: { workspaceId } });
  if (!sub || sub.stripeSubscriptionId !== subscriptionId || sub.status === "unpaid" || sub.status === "free") return { workspaceId, granted: false };
  const lot = await grantExtras(tx, { workspaceId, invoiceId: invoice.id!, now });
  return { workspaceId, granted: !!lot?.created };
}
