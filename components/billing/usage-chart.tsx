import type { DailySeries } from "@/lib/billing-views/usage-history";
import { featureNoun, featureTitle, formatShortDay, groupDigits } from "@/lib/billing-views/format";

const W = 600;
const H = 180;
const PAD = { top: 12, right: 8, bottom: 28, left: 52 };

/** A round axis maximum at or above the largest day, so the scale reads at a glance. */
function niceMax(max: number): number {
  if (max <= 0) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * pow >= max)!;
  return step * pow;
}

/**
 * Daily usage of one feature as server-rendered SVG: no chart library shipped to the browser.
 * Screen readers get the title and a summary; the same numbers are in a table below it.
 */
export function UsageChart({ series, days }: { series: DailySeries; days: string[] }) {
  const id = `chart-${series.feature}`;
  const values = series.totals.map(Number);
  const peak = Math.max(0, ...values);
  const top = niceMax(peak);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / days.length;
  const barW = Math.max(2, slot * 0.7);
  const busiest = values.indexOf(peak);
  const noun = featureNoun(series.feature);
  const summary =
    peak > 0
      ? `${groupDigits(series.sum)} ${noun} over ${days.length} days; the busiest day was ${formatShortDay(days[busiest]!)} with ${groupDigits(series.totals[busiest]!)}.`
      : `No ${noun} in the last ${days.length} days.`;
  const labelDays = [0, Math.floor(days.length / 2), days.length - 1];
  return (
    <figure className="space-y-2" data-testid={id}>
      <figcaption className="flex flex-wrap items-baseline justify-between gap-2">
        <span className="font-medium">{featureTitle(series.feature)}</span>
        <span className="text-sm text-slate-600">{groupDigits(series.sum)} {noun} in {days.length} days</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="h-auto w-full">
        <title id={`${id}-title`}>{`Daily ${featureTitle(series.feature).toLowerCase()} usage, last ${days.length} days`}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {[0, 0.5, 1].map((f) => {
          const y = PAD.top + plotH * (1 - f);
          return (
            <g key={f}>
              <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} className="stroke-slate-200" strokeWidth={1} />
              <text x={PAD.left - 6} y={y + 4} textAnchor="end" className="fill-slate-500 text-[17px]">{groupDigits(String(+(top * f).toFixed(2)))}</text>
            </g>
          );
        })}
        {values.map((v, i) => {
          const h = (v / top) * plotH;
          return (
            <rect key={days[i]} x={PAD.left + i * slot + (slot - barW) / 2} y={PAD.top + plotH - h} width={barW} height={Math.max(0, h)} rx={1.5} className="fill-brand-600">
              <title>{`${formatShortDay(days[i]!)}: ${groupDigits(series.totals[i]!)}`}</title>
            </rect>
          );
        })}
        {labelDays.map((i) => (
          <text key={i} x={PAD.left + i * slot + slot / 2} y={H - 6} textAnchor={i === 0 ? "start" : i === days.length - 1 ? "end" : "middle"} className="fill-slate-500 text-[17px]">
            {formatShortDay(days[i]!)}
          </text>
        ))}
      </svg>
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
              <th key={s.feature} scope="col" className="px-3 py-2 text-right font-medium">{featureTitle(s.feature)}</th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {days.map((d, i) => (
            <tr key={d}>
              <th scope="row" className="whitespace-nowrap px-3 py-1.5 font-normal text-slate-700"><time dateTime={d}>{formatShortDay(d)}</time></th>
              {series.map((s) => (
                <td key={s.feature} className="px-3 py-1.5 text-right tabular-nums">{groupDigits(s.totals[i]!)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
