"use client";

import { useRef, useState, type ComponentType, type PointerEvent, type ReactNode } from "react";
import { Y_AXIS_WIDTH, type ChartModel } from "./usage-chart-scale";

type Interactive = ComponentType<{ model: ChartModel; label: string; initialIndex?: number }>;

/**
 * Shows the server-drawn chart and swaps in the interactive one (recharts) the first time someone points at
 * or touches it. The chart library is fetched then, not with the page: it weighs more than the rest of the
 * page's JavaScript together, and the picture and the table already say everything without it.
 */
export function LiveUsageChart({ model, label, children }: { model: ChartModel; label: string; children: ReactNode }) {
  const [Chart, setChart] = useState<Interactive | null>(null);
  const [index, setIndex] = useState<number | undefined>(undefined);
  const loading = useRef(false);
  const box = useRef<HTMLDivElement>(null);

  // The day under the pointer, so the tooltip the person reached for is open when the chart arrives.
  const dayAt = (clientX: number) => {
    const r = box.current?.getBoundingClientRect();
    if (!r) return undefined;
    const n = model.points.length;
    const x = (clientX - r.left - Y_AXIS_WIDTH) / Math.max(1, r.width - Y_AXIS_WIDTH - 16);
    return Math.min(n - 1, Math.max(0, Math.floor(x * n)));
  };

  const wake = (e: PointerEvent<HTMLDivElement>) => {
    if (Chart) return;
    setIndex(dayAt(e.clientX));
    if (loading.current) return;
    loading.current = true;
    void import("./usage-chart-recharts").then(
      (m) => setChart(() => m.RechartsUsageChart),
      () => (loading.current = false), // offline or a failed chunk: the static chart stays, the next touch retries
    );
  };

  return (
    <div ref={box} onPointerEnter={wake} onPointerMove={wake} onPointerDown={wake} data-interactive={Chart ? "true" : "false"}>
      {Chart ? <Chart model={model} label={label} initialIndex={index} /> : children}
    </div>
  );
}
