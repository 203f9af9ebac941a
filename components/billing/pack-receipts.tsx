import { formatDate, groupDigits } from "@/lib/billing-views/format";
import type { PackReceiptRow } from "@/lib/billing-views/pack-receipts";
import { formatMoney } from "@/lib/money";

/** The workspace's pack purchases, as receipts: what was bought, for how much, when and how. */
export function PackReceipts({ receipts }: { receipts: PackReceiptRow[] }) {
  return (
    <section aria-labelledby="pack-receipts-title" className="space-y-2">
      <h2 id="pack-receipts-title" className="text-lg font-semibold">Pack receipts</h2>
      {receipts.length === 0 ? (
        <p className="text-sm text-slate-600">No extras packs bought yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-sm">
          {receipts.map((r) => (
            <li key={r.id} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 px-4 py-2.5 text-sm" data-testid="pack-receipt-row">
              <div className="min-w-0">
                <span className="font-medium">{r.packName}</span>{" "}
                <span className="text-slate-600">· {groupDigits(r.units)} units · {r.via === "checkout" ? "bought in checkout" : "auto top-up"}</span>
                <span className="block break-all font-mono text-xs text-slate-500">{r.reference}</span>
              </div>
              <div className="sm:text-right">
                <span className="tabular-nums">{formatMoney(r.amountCents, r.currency)}</span>
                {r.refundedCents > 0 && <span className="block text-xs text-slate-600">{formatMoney(r.refundedCents, r.currency)} refunded</span>}
                <time dateTime={r.paidAt.toISOString()} className="block text-xs text-slate-600">{formatDate(r.paidAt)}</time>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
