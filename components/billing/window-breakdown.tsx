import Link from "next/link";
import type { WindowBreakdown } from "@/lib/billing-views/usage-history";
import { featureNoun, featureTitle, formatDateTime, groupDigits } from "@/lib/billing-views/format";

/** The current window of one metered feature: where its units went, by action, and its largest events. */
export function WindowBreakdownCard({ window: w, slug }: { window: WindowBreakdown; slug: string }) {
  const noun = featureNoun(w.feature);
  return (
    <section aria-labelledby={`window-${w.feature}`} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" data-testid={`window-${w.feature}`}>
      <h3 id={`window-${w.feature}`} className="font-semibold">{featureTitle(w.feature)}</h3>
      <p className="text-sm text-slate-600">
        {groupDigits(w.used)}
        {w.quota !== null ? ` of ${groupDigits(w.quota)}` : ""} {noun} from the quota since {formatDateTime(w.periodStart)}
      </p>
      {w.byAction.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600">No events in this window yet.</p>
      ) : (
        <div className="mt-3 grid gap-4 lg:grid-cols-2">
          <table className="w-full text-left text-sm">
            <caption className="mb-1 text-left text-xs font-medium uppercase tracking-wide text-slate-500">By action</caption>
            <thead className="sr-only">
              <tr><th scope="col">Action</th><th scope="col">Events</th><th scope="col">Units</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {w.byAction.map((a) => (
                <tr key={a.action ?? ""}>
                  <th scope="row" className="py-1.5 font-normal">{a.action ?? <span className="text-slate-500">No action given</span>}</th>
                  <td className="py-1.5 text-right tabular-nums text-slate-600">{a.events} {a.events === 1 ? "event" : "events"}</td>
                  <td className="py-1.5 text-right font-medium tabular-nums">{groupDigits(a.units)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div>
            <h4 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Largest events</h4>
            <ol className="divide-y divide-slate-100 text-sm">
              {w.top.map((t) => (
                <li key={t.id} className="flex justify-between gap-3 py-1.5">
                  <Link href={`/w/${slug}/usage?event=${encodeURIComponent(t.id)}`} className="truncate text-brand-700 underline underline-offset-2">
                    {t.action ?? t.idempotencyKey}
                  </Link>
                  <span className="whitespace-nowrap tabular-nums">{groupDigits(t.units)}</span>
                </li>
              ))}
            </ol>
          </div>
        </div>
      )}
    </section>
  );
}
