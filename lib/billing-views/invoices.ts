import type { Client } from "@/lib/db";

export interface InvoiceRow {
  id: string;
  number: string | null;
  createdAt: Date;
  amountDueCents: number;
  amountPaidCents: number;
  currency: string;
  status: string;
  hostedUrl: string | null;
  pdfUrl: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  paymentIssue: string | null;
  paymentError: string | null;
  finalizationError: string | null;
}

/** An invoice's status in words: an open one says what it waits for, a draft Stripe could not finalise says why. */
export function invoiceStatusWords(inv: Pick<InvoiceRow, "status" | "paymentIssue" | "paymentError" | "finalizationError">): string {
  if (inv.status === "open" && inv.paymentIssue === "requires_action") return "Open: payment needs your authentication (3-D Secure)";
  if (inv.status === "open" && inv.paymentIssue === "declined") return `Open: payment failed (${inv.paymentError ?? "declined"})`;
  if (inv.status === "draft" && inv.finalizationError) return `Not issued: ${inv.finalizationError}`;
  return ({ paid: "Paid", open: "Open, awaiting payment", draft: "Draft: to be charged within the hour", void: "Void", uncollectible: "Uncollectible" } as Record<string, string>)[inv.status] ?? inv.status;
}

/** The workspace's invoices, newest first (mirrored from Stripe by the webhook). */
export async function listInvoices(db: Client, workspaceId: string, limit = 100): Promise<InvoiceRow[]> {
  return db.invoice.findMany({
    where: { workspaceId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: {
      id: true, number: true, createdAt: true, amountDueCents: true, amountPaidCents: true, currency: true, status: true, hostedUrl: true, pdfUrl: true, periodStart: true, periodEnd: true,
      paymentIssue: true, paymentError: true, finalizationError: true,
    },
  });
}

/** Why the list may be empty: a workspace that never paid has no invoices to show. */
export async function hasPaidPlanHistory(db: Client, workspaceId: string): Promise<boolean> {
  const sub = await db.subscription.findUnique({ where: { workspaceId }, select: { stripeSubscriptionId: true } });
  return Boolean(sub?.stripeSubscriptionId);
}
