import { Fragment } from "react";
import type { DailySeries } from "@/lib/billing-views/usage-history";
import { featureNoun, featureTitle, formatShortDay, groupDigits } from "@/lib/billing-views/format";
import { LiveUsageChart } from "./usage-chart-live";
import { axisLabel, CHART_HEIGHT, chartModel, dayLabel, pointLines, Y_AXIS_WIDTH, type ChartModel } from "./usage-chart-scale";

/**
 * The picture drawn on the server, with no script: the running total of each quota window as an area and
 * the quota as a dashed step line. The plot stretches to any width (its strokes do not), while the axis
 * labels are HTML text at a fixed size, so nothing is clipped or shrinks on a phone.
 */
function StaticUsageChart({ model, label }: { model: ChartModel; label: string }) {
  const n = model.points.length;
  const y = (v: number) => 100 - (v / model.top) * 100;
  const xs = model.points.map((_, i) => i + 0.5);
  const used = model.points.map((p, i) => `${xs[i]},${y(Number(p.cumulative))}`).join(" L ");
  let quota = "";
  model.points.forEach((p, i) => {
    if (p.quota === null) return;
    const prev = model.points[i - 1];
    const yq = y(Number(p.quota));
    quota += prev && prev.quota !== null ? ` V ${yq} H ${i === n - 1 ? xs[i] : xs[i]! + 1}` : ` M ${xs[i]} ${yq} H ${i === n - 1 ? xs[i] : xs[i]! + 1}`;
  });
  const labelDays = [0, Math.floor((n - 1) / 2), n - 1];
  return (
    <div role="img" aria-label={label} className="grid grid-cols-[var(--y)_1fr] grid-rows-[1fr_24px] pr-4 pt-2" style={{ height: CHART_HEIGHT, ["--y" as string]: `${Y_AXIS_WIDTH}px` }}>
      <div className="relative" aria-hidden="true">
        {[1, 0.5, 0].map((f) => (
          <span key={f} className="absolute right-2 -translate-y-1/2 text-xs tabular-nums text-slate-600" style={{ top: `${(1 - f) * 100}%` }}>
            {axisLabel(model.top * f)}
          </span>
        ))}
      </div>
      <div className="relative border-b border-slate-200">
        {[0, 0.5].map((f) => (
          <div key={f} className="absolute inset-x-0 border-t border-slate-200" style={{ top: `${f * 100}%` }} />
        ))}
        <svg viewBox={`0 0 ${n} 100`} preserveAspectRatio="none" className="absolute inset-0 h-full w-full overflow-visible" aria-hidden="true">
          <path d={`M ${xs[0]},100 L ${used} L ${xs[n - 1]},100 Z`} className="fill-brand-100 opacity-70" />
          <path d={`M ${used}`} className="fill-none stroke-brand-600" strokeWidth={2} vectorEffect="non-scaling-stroke" strokeLinejoin="round" />
          {quota && <path d={quota} className="fill-none stroke-amber-700" strokeWidth={1.5} strokeDasharray="6 4" vectorEffect="non-scaling-stroke" />}
          {model.points.map((p, i) => (
            <rect key={p.day} x={i} y={0} width={1} height={100} className="fill-transparent">
              <title>{`${formatShortDay(p.day)}: ${pointLines(p, model.noun).join(", ")}`}</title>
            </rect>
          ))}
        </svg>
      </div>
      <div />
      <div className="relative" aria-hidden="true">
        {labelDays.map((i, k) => (
          <span
            key={i}
            className={`absolute top-1 whitespace-nowrap text-xs text-slate-600 ${k === 0 ? "" : k === 1 ? "-translate-x-1/2" : "-translate-x-full"}`}
            style={{ left: k === 0 ? 0 : k === 1 ? `${((i + 0.5) / n) * 100}%` : "100%" }}
          >
            {dayLabel(model.points[i]!.day)}
          </span>
        ))}
      </div>
    </div>
  );
}

/** One feature over the range: how far into each period's quota the usage ran, with a tooltip per day on hover. */
export function UsageChart({ series, days }: { series: DailySeries; days: string[] }) {
  const id = `chart-${series.feature}`;
  const noun = featureNoun(series.feature);
  const model = chartModel(series.feature, noun, days, series.totals, series.cumulative, series.quota);
  const values = series.totals.map(Number);
  const peak = Math.max(0, ...values);
  const busiest = values.indexOf(peak);
  const last = model.points[days.length - 1]!;
  const summary =
    peak > 0
      ? ` ${groupDigits(series.sum)} ${noun} over ${days.length} days; the busiest day was ${formatShortDay(days[busiest]!)} with ${groupDigits(series.totals[busiest]!)}. ${groupDigits(last.cumulative)} used so far this period${last.quota !== null ? ` of a quota of ${groupDigits(last.quota)}` : ""}.`
      : ` No ${noun} in the last ${days.length} days.`;
  const label = `${featureTitle(series.feature)} usage, last ${days.length} days: running total per period against the quota.${summary}`;
  return (
    <figure className="min-w-0 space-y-2" data-testid={id}>
      <figcaption className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <span className="font-medium">{featureTitle(series.feature)}</span>
        <span className="text-sm text-slate-600">{groupDigits(series.sum)} {noun} in {days.length} days</span>
      </figcaption>
      <LiveUsageChart model={model} label={label}>
        <StaticUsageChart model={model} label={label} />
      </LiveUsageChart>
      <p className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600" aria-hidden="true">
        <span className="inline-flex items-center gap-1.5"><span className="h-0.5 w-4 bg-brand-600" />Used this period</span>
        <span className="inline-flex items-center gap-1.5"><span className="w-4 border-t-[1.5px] border-dashed border-amber-700" />Quota</span>
      </p>
    </figure>
  );
}

/** The chart's numbers as a table, for reading exact values and for assistive technology. */
export function UsageTable({ series, days }: { series: DailySeries[]; days: string[] }) {
  return (
    <div role="region" aria-label="Daily usage table" tabIndex={0} className="max-h-96 overflow-auto rounded-md border border-slate-200">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Daily usage per feature, last {days.length} days (UTC)</caption>
        <thead className="sticky top-0 bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">Day (UTC)</th>
            {series.map((s) => (
              <Fragment key={s.feature}>
                <th scope="col" className="px-3 py-2 text-right font-medium">{featureTitle(s.feature)}</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">{featureTitle(s.feature)}: this period</th>
              </Fragment>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {days.map((d, i) => (
            <tr key={d}>
              <th scope="row" className="whitespace-nowrap px-3 py-1.5 font-normal text-slate-700"><time dateTime={d}>{formatShortDay(d)}</time></th>
              {series.map((s) => (
                <Fragment key={s.feature}>
                  <td className="px-3 py-1.5 text-right tabular-nums">{groupDigits(s.totals[i]!)}</td>
                  <td className="whitespace-nowrap px-3 py-1.5 text-right tabular-nums text-slate-600">
                    {groupDigits(s.cumulative[i]!)}
                    {s.quota[i] != null ? ` of ${groupDigits(s.quota[i]!)}` : ""}
                  </td>
                </Fragment>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
