import type { UsageMeasure } from "@/lib/billing-views/usage-level";
import { featureNoun, featureTitle, formatDateTime, formatRelative, groupDigits } from "@/lib/billing-views/format";

export interface UsageBarProps {
  feature: string;
  kind: "meter" | "gauge";
  used: string;
  limit: string | null;
  resetsAt: string | null;
  measure: UsageMeasure;
}

const fill: Record<UsageMeasure["level"], string> = {
  unlimited: "bg-brand-600",
  ok: "bg-brand-600",
  warning: "bg-amber-500",
  full: "bg-red-600",
};

// The words travel with the colour, so nobody has to tell amber from red.
const levelWords: Record<UsageMeasure["level"], string | null> = { unlimited: null, ok: null, warning: "Nearly used up", full: "Limit reached" };

/** "250 / 1,000 compute units" for meters, "3 of 10 seats" for gauges, "12 API calls (unlimited)" without a limit. */
export function usageText({ feature, kind, used, limit }: Pick<UsageBarProps, "feature" | "kind" | "used" | "limit">): string {
  if (limit === null) return `${groupDigits(used)} ${featureNoun(feature, used)} (unlimited)`;
  if (kind === "gauge") return `${groupDigits(used)} of ${groupDigits(limit)} ${featureNoun(feature, limit)}`;
  return `${groupDigits(used)} / ${groupDigits(limit)} ${featureNoun(feature, limit)}`;
}

/** "Resets in 4 days (Dec 7, 2026, 00:00 UTC)": how long first, the exact moment for whoever needs it. */
function resetText(kind: "meter" | "gauge", resetsAt: string | null): React.ReactNode {
  if (kind === "gauge") return "Held until released";
  if (!resetsAt) return "Never resets";
  return <>Resets {formatRelative(resetsAt)} (<time dateTime={resetsAt}>{formatDateTime(resetsAt)}</time>)</>;
}

/** One feature's usage: a real progressbar whose numbers and words say the same thing as its colour. */
export function UsageBar(props: UsageBarProps) {
  const { feature, kind, used, limit, resetsAt, measure } = props;
  const id = `usage-${feature}`;
  const text = usageText(props);
  const words = levelWords[measure.level];
  const valueText = measure.percent === null ? text : `${text}, ${measure.percent}%${words ? `, ${words.toLowerCase()}` : ""}`;
  return (
    <div data-testid={id} data-level={measure.level} className="space-y-1.5">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5">
        <span id={`${id}-label`} className="font-medium text-slate-900">{featureTitle(feature)}</span>
        <span data-testid={`${id}-text`} className="text-sm tabular-nums text-slate-700">{text}</span>
      </div>
      {limit === null ? (
        // No limit means nothing to fill: an indeterminate progressbar would read as "loading".
        <p className="rounded-full bg-brand-50 px-2 text-xs font-medium text-brand-700">Unlimited on this plan</p>
      ) : (
        <div
          role="progressbar"
          aria-labelledby={`${id}-label`}
          aria-valuemin={0}
          aria-valuemax={Number(limit)}
          aria-valuenow={Math.min(Number(used), Number(limit))}
          aria-valuetext={valueText}
          className="h-2.5 overflow-hidden rounded-full bg-slate-200"
        >
          <div className={`h-full rounded-full ${fill[measure.level]}`} style={{ width: `${measure.percent ?? 0}%` }} />
        </div>
      )}
      <div className="flex flex-wrap justify-between gap-x-3 text-xs text-slate-600">
        <span>{resetText(kind, resetsAt)}</span>
        {words && (
          <span className={`font-semibold ${measure.level === "full" ? "text-red-700" : "text-amber-800"}`}>
            {measure.percent}% used · {words}
          </span>
        )}
      </div>
    </div>
  );
}
