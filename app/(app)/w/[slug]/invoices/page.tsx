import { ExternalLink } from "lucide-react";
import Link from "next/link";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { EmptyState } from "@/components/ui/empty-state";
import { buttonClass } from "@/components/ui/button";
import { db } from "@/lib/db";
import { hasPaidPlanHistory, invoiceStatusWords, listInvoices } from "@/lib/billing-views/invoices";
import { listPackReceipts } from "@/lib/billing-views/pack-receipts";
import { PackReceipts } from "@/components/billing/pack-receipts";
import { formatDate, formatMoney } from "@/lib/format";
import { requireWorkspacePage } from "@/lib/server/session";
import { can } from "@/lib/workspaces/access";

export const metadata = { title: "Invoices" };

export default async function InvoicesPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, role } = await requireWorkspacePage(slug);
  const [invoices, paidBefore, receipts] = await Promise.all([listInvoices(db(), workspace.id), hasPaidPlanHistory(db(), workspace.id), listPackReceipts(db(), workspace.id)]);
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold">Invoices</h1>
        <p className="text-sm text-slate-600">Invoices for plan subscriptions, as issued by Stripe, and receipts for extras packs.</p>
      </div>
      {invoices.length === 0 ? (
        <EmptyState
          title="No invoices yet"
          action={!paidBefore && can(role, "billing") ? <Link href={`/w/${slug}/plans`} className={buttonClass("secondary")}>See plans</Link> : undefined}
        >
          {paidBefore
            ? "Your subscription has not been invoiced yet: the first invoice appears here once Stripe issues it, at the end of a trial or at checkout."
            : "This workspace is on a free plan or a trial without a card, so nothing has been billed. Invoices appear here once a paid plan is invoiced. Extras packs are paid at checkout and have receipts instead."}
        </EmptyState>
      ) : (
        <Table caption="Invoices">
          <THead>
            <tr>
              <Th>Number</Th>
              <Th>Date</Th>
              <Th className="text-right">Amount</Th>
              <Th>Status</Th>
              <Th><span className="sr-only">Link</span></Th>
            </tr>
          </THead>
          <TBody>
            {invoices.map((inv) => (
              <Tr key={inv.id} data-testid="invoice-row">
                <Td label="Number" className="font-mono text-xs">{inv.number ?? "—"}</Td>
                <Td label="Date" className="whitespace-nowrap"><time dateTime={inv.createdAt.toISOString()}>{formatDate(inv.createdAt)}</time></Td>
                <Td label="Amount" className="whitespace-nowrap text-right tabular-nums">
                  <span>
                    {formatMoney(inv.amountDueCents, inv.currency)}
                    {inv.amountPaidCents > 0 && inv.amountPaidCents !== inv.amountDueCents && (
                      <span className="block text-xs text-slate-600">{formatMoney(inv.amountPaidCents, inv.currency)} paid</span>
                    )}
                  </span>
                </Td>
                <Td label="Status" className={inv.paymentIssue || inv.finalizationError ? "font-medium text-red-800" : ""} data-testid="invoice-status">{invoiceStatusWords(inv)}</Td>
                <Td className="sm:text-right">
                  {inv.status === "open" && inv.paymentIssue === "requires_action" && inv.hostedUrl ? (
                    <a href={inv.hostedUrl} target="_blank" rel="noopener noreferrer" className="inline-flex items-center gap-1 font-medium text-brand-700 underline underline-offset-2">
                      Confirm payment<span className="sr-only"> of invoice {inv.number ?? ""} (opens in a new tab)</span><ExternalLink aria-hidden="true" className="size-3.5" />
                    </a>
                  ) : inv.hostedUrl ? (
                    <a href={inv.hostedUrl} target="_blank" rel="noopener noreferrer" className="inline-flex items-center gap-1 text-brand-700 underline underline-offset-2">
                      View invoice<span className="sr-only"> {inv.number ?? ""} (opens in a new tab)</span><ExternalLink aria-hidden="true" className="size-3.5" />
                    </a>
                  ) : (
                    <span className="text-slate-600">No link</span>
                  )}
                  {inv.pdfUrl && (
                    <a href={inv.pdfUrl} target="_blank" rel="noopener noreferrer" className="ml-3 inline-flex items-center gap-1 whitespace-nowrap text-brand-700 underline underline-offset-2" data-testid="invoice-pdf">
                      PDF<span className="sr-only"> of invoice {inv.number ?? ""} (opens in a new tab)</span>
                    </a>
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
      <PackReceipts receipts={receipts} />
    </div>
  );
}
