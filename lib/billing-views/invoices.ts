import type { Client } from "@/lib/billing/client";

export interface InvoiceRow {
  id: string;
  number: string | null;
  createdAt: Date;
  amountDueCents: number;
  amountPaidCents: number;
  currency: string;
  status: string;
  hostedUrl: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
}

/** The workspace's invoices, newest first (mirrored from Stripe by the webhook). */
export async function listInvoices(db: Client, workspaceId: string, limit = 100): Promise<InvoiceRow[]> {
  return db.invoice.findMany({
    where: { workspaceId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { id: true, number: true, createdAt: true, amountDueCents: true, amountPaidCents: true, currency: true, status: true, hostedUrl: true, periodStart: true, periodEnd: true },
  });
}

/** Why the list may be empty: a workspace that never paid has no invoices to show. */
export async function hasPaidPlanHistory(db: Client, workspaceId: string): Promise<boolean> {
  const sub = await db.subscription.findUnique({ where: { workspaceId }, select: { stripeSubscriptionId: true } });
  return Boolean(sub?.stripeSubscriptionId);
}
