import Link from "next/link";
import type { BillingOverview } from "@/lib/billing-views/overview";
import { formatDate, groupDigits } from "@/lib/billing-views/format";

/** Prepaid extras: the balance, what can be spent now, and what expires within 30 days. */
export function ExtrasSummary({ extras, slug, canManage }: { extras: BillingOverview["extras"]; slug: string; canManage: boolean }) {
  const differs = extras.usable !== extras.balance;
  return (
    <section aria-labelledby="extras-heading" className="flex flex-col rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id="extras-heading" className="text-sm font-medium text-slate-600">Extras balance</h2>
      <p className="mt-1 text-2xl font-semibold tabular-nums">
        <span data-testid="extras-balance">{groupDigits(extras.balance)}</span> <span className="text-base font-normal text-slate-600">compute units</span>
      </p>
      {differs && <p className="mt-1 text-sm text-slate-700">{groupDigits(extras.usable)} can be spent now.</p>}
      <div className="mt-3 flex-1 text-sm text-slate-700">
        {extras.expiringSoon.length === 0 ? (
          <p>Nothing expires in the next 30 days.</p>
        ) : (
          <>
            <p data-testid="extras-expiring">
              <strong>{groupDigits(extras.expiringSoonTotal)} units expire in the next 30 days:</strong>
            </p>
            <ul className="mt-1 list-disc space-y-0.5 pl-5">
              {extras.expiringSoon.map((l) => (
                <li key={l.lotId}>{groupDigits(l.remaining)} on {formatDate(l.expiresAt)}</li>
              ))}
            </ul>
          </>
        )}
      </div>
      <p className="mt-4 flex flex-wrap gap-x-4 text-sm font-medium">
        {canManage && <Link href={`/w/${slug}/extras`} className="text-brand-700 underline underline-offset-2">Buy extras</Link>}
        <Link href={`/w/${slug}/ledger`} className="text-brand-700 underline underline-offset-2">See the ledger</Link>
      </p>
    </section>
  );
}
