"use client";

import { Area, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import { chartColors } from "./usage-chart-colors";
import { axisLabel, CHART_HEIGHT, dayLabel, pointLines, Y_AXIS_WIDTH, type ChartModel, type UsagePoint } from "./usage-chart-scale";

type Datum = UsagePoint & { used: number; limit: number | null };

function UsageTooltip({ active, payload, noun }: { active?: boolean; payload?: TooltipContentProps<number, string>["payload"]; noun: string }) {
  const p = payload?.[0]?.payload as Datum | undefined;
  if (!active || !p) return null;
  return (
    <div data-testid="usage-tooltip" className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="font-medium text-slate-900">{dayLabel(p.day)}</p>
      {pointLines(p, noun).map((line) => (
        <p key={line} className="tabular-nums text-slate-700">{line}</p>
      ))}
    </div>
  );
}

/**
 * The interactive chart: the same picture as the server-drawn one, with a tooltip per day and arrow keys.
 * Loaded only when someone points at or touches the chart, so the page's first load stays light.
 */
export function RechartsUsageChart({ model, label, initialIndex }: { model: ChartModel; label: string; initialIndex?: number }) {
  const data: Datum[] = model.points.map((p) => ({ ...p, used: Number(p.cumulative), limit: p.quota === null ? null : Number(p.quota) }));
  const n = data.length;
  const ticks = [data[0]!.day, data[Math.floor((n - 1) / 2)]!.day, data[n - 1]!.day];
  const tick = { fontSize: 12, fill: chartColors.axis };
  return (
    <ResponsiveContainer width="100%" height={CHART_HEIGHT} initialDimension={{ width: 320, height: CHART_HEIGHT }}>
      <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }} title={label}>
        <CartesianGrid vertical={false} stroke={chartColors.grid} />
        <XAxis dataKey="day" ticks={ticks} interval={0} tickFormatter={dayLabel} tick={tick} tickLine={false} axisLine={{ stroke: chartColors.grid }} height={24} />
        <YAxis width={Y_AXIS_WIDTH} domain={[0, model.top]} ticks={[0, model.top / 2, model.top]} tickFormatter={axisLabel} tick={tick} tickLine={false} axisLine={false} allowDataOverflow />
        <Tooltip content={({ active, payload }) => <UsageTooltip active={active} payload={payload} noun={model.noun} />} defaultIndex={initialIndex} isAnimationActive={false} cursor={{ stroke: chartColors.axis, strokeDasharray: "2 2" }} />
        <Area dataKey="used" name="Used this period" type="linear" stroke={chartColors.used} strokeWidth={2} fill={chartColors.usedFill} fillOpacity={0.7} isAnimationActive={false} />
        <Line dataKey="limit" name="Quota" type="stepAfter" stroke={chartColors.quota} strokeWidth={1.5} strokeDasharray="6 4" dot={false} activeDot={false} isAnimationActive={false} />
      </ComposedChart>
    </ResponsiveContainer>
  );
}
