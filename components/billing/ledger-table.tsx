import { describeEntryKind, type LedgerRow } from "@/lib/billing-views/ledger";
import { formatDateTime, groupDigits, signedUnits } from "@/lib/billing-views/format";
import { Table, TBody, Td, Th, THead } from "@/components/ui/table";
import { LedgerCause } from "./ledger-cause";

/** Ledger entries with signed amounts, the balance after each, and the cause of each; rows stack on phones. */
export function LedgerTable({ entries, slug }: { entries: LedgerRow[]; slug: string }) {
  return (
    <Table caption="Ledger entries">
      <THead>
        <tr>
          <Th>Date</Th>
          <Th>Kind</Th>
          <Th className="text-right">Units</Th>
          <Th className="text-right">Balance after</Th>
          <Th>Cause</Th>
        </tr>
      </THead>
      <TBody>
        {entries.map((e) => (
          <tr key={e.id} data-testid="ledger-row" data-entry-id={e.id} data-kind={e.kind} data-units={e.units} data-balance={e.balanceAfter}>
            <Td label="Date" className="text-slate-700 sm:whitespace-nowrap"><time dateTime={e.createdAt.toISOString()}>{formatDateTime(e.createdAt)}</time></Td>
            <Td label="Kind">{describeEntryKind(e)}</Td>
            <Td label="Units" className={`whitespace-nowrap text-right font-medium tabular-nums ${e.units.startsWith("-") ? "text-red-700" : "text-green-800"}`} data-testid="ledger-units">
              {signedUnits(e.units)}
            </Td>
            <Td label="Balance after" className="whitespace-nowrap text-right tabular-nums" data-testid="ledger-balance">{groupDigits(e.balanceAfter)}</Td>
            <Td label="Cause" className="min-w-0 break-words"><LedgerCause entry={e} slug={slug} /></Td>
          </tr>
        ))}
      </TBody>
    </Table>
  );
}
