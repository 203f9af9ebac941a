import Link from "next/link";
import { listStripeEvents, parseEventCursor, type EventStatus } from "@/lib/admin/stripe-events";
import { formatDateTime } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

const STATUSES: EventStatus[] = ["failed", "received", "processed"];
const statusWords: Record<EventStatus, string> = { failed: "Failed", received: "Received, not yet processed", processed: "Processed" };

export default async function StripeEventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOperatorPage();
  const sp = await searchParams;
  const status = STATUSES.find((s) => s === sp.status);
  const type = typeof sp.type === "string" && /^[a-z_.]{1,100}$/.test(sp.type) ? sp.type : undefined;
  const { events, next } = await listStripeEvents(db(), { status, type, before: parseEventCursor(typeof sp.before === "string" ? sp.before : undefined) });
  const query = (extra: Record<string, string>) => new URLSearchParams({ ...(status ? { status } : {}), ...(type ? { type } : {}), ...extra });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold text-slate-900">Stripe events</h1>
      <p className="text-sm text-slate-600">Every event Stripe sent, with what applying it did. Failed events are retried by the reconcile cron and kept until processed; replay one here after fixing its cause.</p>
      <form className="flex flex-wrap items-end gap-2" aria-label="Filter events">
        <label className="text-sm">Status
          <select name="status" defaultValue={status ?? ""} className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5">
            <option value="">Any</option>
            {STATUSES.map((s) => <option key={s} value={s}>{statusWords[s]}</option>)}
          </select>
        </label>
        <label className="text-sm">Type<input name="type" defaultValue={type} placeholder="invoice.paid" className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5" /></label>
        <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">Filter</button>
      </form>
      {events.length === 0 ? <p className="text-sm text-slate-600">No events{status || type ? " match" : " yet"}.</p> : (
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
          {events.map((e) => (
            <li key={e.id} className="flex flex-col gap-1 px-4 py-2.5 text-sm sm:flex-row sm:items-center sm:gap-4" data-testid="stripe-event-row">
              <Link href={`/admin/stripe-events/${e.id}`} className="font-medium text-brand-700 hover:underline">{e.type}</Link>
              <span className={e.status === "failed" ? "font-medium text-red-700" : "text-slate-600"}>{statusWords[e.status]}{e.attempts > 1 ? ` after ${e.attempts} attempts` : ""}</span>
              {e.lastError && <span className="truncate text-red-700 sm:max-w-xs" title={e.lastError}>{e.lastError}</span>}
              <span className="text-xs text-slate-500 sm:ml-auto">{formatDateTime(e.receivedAt)}</span>
            </li>
          ))}
        </ul>
      )}
      {next && <Link href={`/admin/stripe-events?${query({ before: next })}`} className="inline-block text-sm font-medium text-brand-700 hover:underline">Older events →</Link>}
    </div>
  );
}
