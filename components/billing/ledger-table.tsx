import { describeEntryKind, type LedgerRow } from "@/lib/billing-views/ledger";
import { formatDateTime, groupDigits, signedUnits } from "@/lib/billing-views/format";
import { LedgerCause } from "./ledger-cause";

/** Ledger entries with signed amounts, the balance after each, and the cause of each. */
export function LedgerTable({ entries, slug }: { entries: LedgerRow[]; slug: string }) {
  return (
    <div role="region" aria-label="Ledger entries" tabIndex={0} className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="w-full min-w-[40rem] text-left text-sm">
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-4 py-2.5 font-medium">Date</th>
            <th scope="col" className="px-4 py-2.5 font-medium">Kind</th>
            <th scope="col" className="px-4 py-2.5 text-right font-medium">Units</th>
            <th scope="col" className="px-4 py-2.5 text-right font-medium">Balance after</th>
            <th scope="col" className="px-4 py-2.5 font-medium">Cause</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {entries.map((e) => (
            <tr key={e.id} data-testid="ledger-row" data-entry-id={e.id} data-kind={e.kind} data-units={e.units} data-balance={e.balanceAfter}>
              <td className="whitespace-nowrap px-4 py-2.5 text-slate-700"><time dateTime={e.createdAt.toISOString()}>{formatDateTime(e.createdAt)}</time></td>
              <td className="px-4 py-2.5">{describeEntryKind(e)}</td>
              <td className={`whitespace-nowrap px-4 py-2.5 text-right font-medium tabular-nums ${e.units.startsWith("-") ? "text-red-700" : "text-green-800"}`} data-testid="ledger-units">
                {signedUnits(e.units)}
              </td>
              <td className="whitespace-nowrap px-4 py-2.5 text-right tabular-nums" data-testid="ledger-balance">{groupDigits(e.balanceAfter)}</td>
              <td className="px-4 py-2.5"><LedgerCause entry={e} slug={slug} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
