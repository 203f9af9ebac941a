import { parseRange, RangeControl } from "@/components/billing/range-control";
import { UsageChart, UsageTable } from "@/components/billing/usage-chart";
import { UsageEventCard } from "@/components/billing/usage-event-card";
import { WindowBreakdownCard } from "@/components/billing/window-breakdown";
import { EmptyState } from "@/components/ui/empty-state";
import { db } from "@/lib/db";
import { currentWindowBreakdown, dailyUsage, usageEventDetail } from "@/lib/billing-views/usage-history";
import { requireWorkspacePage } from "@/lib/server/session";

export const metadata = { title: "Usage" };

export default async function UsagePage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ event?: string; range?: string }> }) {
  const { slug } = await params;
  const { event: eventId, range: rangeParam } = await searchParams;
  const range = parseRange(rangeParam);
  const { workspace } = await requireWorkspacePage(slug);
  const now = new Date();
  const [history, windows, event] = await Promise.all([
    dailyUsage(db(), workspace.id, { days: range, now }),
    currentWindowBreakdown(db(), workspace.id, now),
    // An event id as this app writes them; anything else (a repeated parameter, a NUL) finds nothing.
    typeof eventId === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(eventId) ? usageEventDetail(db(), workspace.id, eventId) : Promise.resolve(undefined),
  ]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Usage</h1>
        <p className="text-sm text-slate-600">Metered usage per day (UTC) and where this period&apos;s units went.</p>
      </div>
      {event !== undefined && <UsageEventCard event={event} slug={slug} />}
      <section aria-labelledby="history-heading" className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="history-heading" className="text-base font-semibold">Last {range} days</h2>
          <RangeControl basePath={`/w/${slug}/usage`} current={range} />
        </div>
        <p className="mt-1 text-sm text-slate-600">Units used so far in each period (extras included) against its quota; point at a day for its numbers.</p>
        {history.series.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No usage recorded in the last {range} days. Usage reported through the API appears here the day it happens.</p>
        ) : (
          <>
            <div className="mt-4 grid gap-8 lg:grid-cols-2" data-testid="usage-charts" data-range={range}>
              {history.series.map((s) => (
                <UsageChart key={s.feature} series={s} days={history.days} />
              ))}
            </div>
            <details className="mt-6">
              <summary className="cursor-pointer text-sm font-medium text-brand-700">Show the numbers as a table</summary>
              <div className="mt-3">
                <UsageTable series={history.series} days={history.days} />
              </div>
            </details>
          </>
        )}
      </section>
      <section aria-labelledby="window-heading" className="space-y-3">
        <h2 id="window-heading" className="text-base font-semibold">This period</h2>
        {windows.length === 0 ? (
          <EmptyState title="Nothing metered in this period yet">A feature&apos;s window opens with its first usage event of the period.</EmptyState>
        ) : (
          <div className="grid gap-4">
            {windows.map((w) => (
              <WindowBreakdownCard key={w.feature} window={w} slug={slug} />
            ))}
          </div>
        )}
      </section>
    </div>
  );
}
