import Link from "next/link";
import { cn } from "@/components/ui/cn";

export const USAGE_RANGES = [7, 30, 90] as const;
export type UsageRange = (typeof USAGE_RANGES)[number];

/** "7", "30" or "90" from the address; anything else is the default 30 days. */
export function parseRange(value: string | string[] | undefined): UsageRange {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return (USAGE_RANGES as readonly number[]).includes(n) ? (n as UsageRange) : 30;
}

/** The chart's period as links (?range=7|30|90): rendered on the server, and a range can be shared. */
export function RangeControl({ basePath, current }: { basePath: string; current: UsageRange }) {
  return (
    <nav aria-label="Range" className="inline-flex rounded-md border border-slate-200 bg-slate-50 p-0.5 text-sm">
      {USAGE_RANGES.map((r) => (
        <Link
          key={r}
          href={r === 30 ? basePath : `${basePath}?range=${r}`}
          aria-current={r === current ? "page" : undefined}
          className={cn(
            "rounded px-3 py-1 font-medium text-slate-700 hover:text-slate-900",
            r === current && "bg-white text-brand-700 shadow-sm ring-1 ring-slate-200",
          )}
        >
          {r} days
        </Link>
      ))}
    </nav>
  );
}
