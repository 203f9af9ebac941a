import Link from "next/link";
import type { UsageEventDetail } from "@/lib/billing-views/usage-history";
import { featureNoun, featureTitle, formatDateTime, groupDigits, signedUnits } from "@/lib/billing-views/format";

/** One usage event, as the ledger links to it: how its units were paid (quota or extras) and what it carried. */
export function UsageEventCard({ event, slug }: { event: UsageEventDetail | null; slug: string }) {
  if (!event) {
    return (
      <section className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950" data-testid="usage-event">
        <h2 className="font-semibold">Usage event not found</h2>
        <p className="mt-1">It does not belong to this workspace, or the link is mistyped. <Link className="underline" href={`/w/${slug}/usage`}>Show all usage</Link></p>
      </section>
    );
  }
  const metadata = event.metadata && typeof event.metadata === "object" ? JSON.stringify(event.metadata, null, 2) : null;
  return (
    <section aria-labelledby="event-heading" data-testid="usage-event" className="rounded-lg border border-brand-100 bg-white p-5 shadow-sm">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="event-heading" className="text-base font-semibold">Usage event</h2>
        <Link href={`/w/${slug}/usage`} className="text-sm text-brand-700 underline underline-offset-2">Close</Link>
      </div>
      <dl className="mt-3 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        <dt className="text-slate-600">Recorded</dt>
        <dd>{formatDateTime(event.createdAt)}</dd>
        <dt className="text-slate-600">Feature</dt>
        <dd>{featureTitle(event.feature)}</dd>
        <dt className="text-slate-600">Units</dt>
        <dd className="tabular-nums">
          {groupDigits(event.units)} {featureNoun(event.feature, event.units)}: {groupDigits(event.quotaUnits)} from the quota, {groupDigits(event.extrasUnits)} from extras
        </dd>
        <dt className="text-slate-600">Idempotency key</dt>
        <dd className="break-all font-mono text-xs">{event.idempotencyKey}</dd>
        <dt className="text-slate-600">Event id</dt>
        <dd className="break-all font-mono text-xs">{event.id}</dd>
        {event.ledger.length > 0 && (
          <>
            <dt className="text-slate-600">Ledger</dt>
            <dd>
              <ul>
                {event.ledger.map((l) => (
                  <li key={l.id} className="tabular-nums">{signedUnits(l.units)} extras, balance after {groupDigits(l.balanceAfter)}</li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {metadata && (
          <>
            <dt className="text-slate-600">Metadata</dt>
            <dd><pre className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">{metadata}</pre></dd>
          </>
        )}
      </dl>
    </section>
  );
}
