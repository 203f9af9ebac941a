import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { buttonClass } from "@/components/ui/button";
import { db } from "@/lib/db";
import { formatDate } from "@/lib/billing-views/format";
import { hasPaidPlanHistory, invoiceStatusWords, listInvoices } from "@/lib/billing-views/invoices";
import { listPackReceipts } from "@/lib/billing-views/pack-receipts";
import { PackReceipts } from "@/components/billing/pack-receipts";
import { formatMoney } from "@/lib/money";
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
        <div role="region" aria-label="Invoices" tabIndex={0} className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="w-full min-w-[36rem] text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-2.5 font-medium">Number</th>
                <th scope="col" className="px-4 py-2.5 font-medium">Date</th>
                <th scope="col" className="px-4 py-2.5 text-right font-medium">Amount</th>
                <th scope="col" className="px-4 py-2.5 font-medium">Status</th>
                <th scope="col" className="px-4 py-2.5 font-medium"><span className="sr-only">Link</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {invoices.map((inv) => (
                <tr key={inv.id} data-testid="invoice-row">
                  <td className="px-4 py-2.5 font-mono text-xs">{inv.number ?? "—"}</td>
                  <td className="whitespace-nowrap px-4 py-2.5"><time dateTime={inv.createdAt.toISOString()}>{formatDate(inv.createdAt)}</time></td>
                  <td className="whitespace-nowrap px-4 py-2.5 text-right tabular-nums">
                    {formatMoney(inv.amountDueCents, inv.currency)}
                    {inv.amountPaidCents > 0 && inv.amountPaidCents !== inv.amountDueCents && (
                      <span className="block text-xs text-slate-600">{formatMoney(inv.amountPaidCents, inv.currency)} paid</span>
                    )}
                  </td>
                  <td className={`px-4 py-2.5 ${inv.paymentIssue || inv.finalizationError ? "font-medium text-red-800" : ""}`} data-testid="invoice-status">{invoiceStatusWords(inv)}</td>
                  <td className="px-4 py-2.5 text-right">
                    {inv.status === "open" && inv.paymentIssue === "requires_action" && inv.hostedUrl ? (
                      <a href={inv.hostedUrl} target="_blank" rel="noopener noreferrer" className="font-medium text-brand-700 underline underline-offset-2">
                        Confirm payment<span className="sr-only"> of invoice {inv.number ?? ""} (opens in a new tab)</span>
                      </a>
                    ) : inv.hostedUrl ? (
                      <a href={inv.hostedUrl} target="_blank" rel="noopener noreferrer" className="text-brand-700 underline underline-offset-2">
                        View invoice<span className="sr-only"> {inv.number ?? ""} (opens in a new tab)</span>
                      </a>
                    ) : (
                      <span className="text-slate-500">No link</span>
                    )}
                    {inv.pdfUrl && (
                      <a href={inv.pdfUrl} target="_blank" rel="noopener noreferrer" className="ml-3 whitespace-nowrap text-brand-700 underline underline-offset-2" data-testid="invoice-pdf">
                        PDF<span className="sr-only"> of invoice {inv.number ?? ""} (opens in a new tab)</span>
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PackReceipts receipts={receipts} />
    </div>
  );
}
