import Link from "next/link";
import { gaugeFullNote, levelTone, levelWords, type UsageMeasure } from "@/lib/billing-views/usage-level";
import { featureNoun, featureTitle, formatDateTime, formatRelative, groupDigits } from "@/lib/billing-views/format";

export interface UsageBarProps {
  feature: string;
  kind: "meter" | "gauge";
  used: string;
  limit: string | null;
  resetsAt: string | null;
  measure: UsageMeasure;
  /** Units extras paid for beyond the quota in this window: the bar's second segment. */
  fromExtras?: string;
  /** Where a gauge at its limit can be upgraded, for those who may (omitted for members). */
  upgradeHref?: string | null;
}

// The words (levelWords) travel with the colour, so nobody has to tell amber from red.
const fill: Record<ReturnType<typeof levelTone>, string> = { neutral: "bg-brand-600", caution: "bg-amber-500", danger: "bg-red-600" };
const wordsColour: Record<ReturnType<typeof levelTone>, string> = { neutral: "text-slate-700", caution: "text-amber-800", danger: "text-red-700" };

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

/**
 * One feature's usage: a real progressbar whose numbers and words say the same thing as its colours. Units that
 * extras paid for beyond the quota are a second segment after the quota's: the bar's scale becomes quota plus
 * extras, a mark shows where the quota ends, and the text, the legend and the progressbar's value text say it too.
 * The progressbar's value stays the quota's (used of limit), since that is what resets.
 */
export function UsageBar(props: UsageBarProps) {
  const { feature, kind, used, limit, resetsAt, measure } = props;
  const id = `usage-${feature}`;
  const text = usageText(props);
  const words = levelWords(measure, kind);
  const tone = levelTone(measure.level);
  const extras = limit === null ? 0 : Math.max(0, Number(props.fromExtras ?? 0));
  const extrasText = extras > 0 ? `${groupDigits(props.fromExtras!)} more from extras` : null;
  const valueText = [measure.percent === null ? text : `${text}, ${measure.percent}%${words ? `, ${words.toLowerCase()}` : ""}`, extrasText].filter(Boolean).join(", ");
  // With extras, the track spans quota + extras, so both segments keep their true proportions.
  const scale = limit === null ? 0 : Math.max(Number(limit), Number(used)) + extras;
  const quotaWidth = extras > 0 && scale > 0 ? (Math.min(Number(used), Number(limit)) / scale) * 100 : (measure.percent ?? 0);
  const extrasWidth = extras > 0 && scale > 0 ? (extras / scale) * 100 : 0;
  return (
    <div data-testid={id} data-level={measure.level} className="space-y-1.5">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5">
        <span id={`${id}-label`} className="font-medium text-slate-900">{featureTitle(feature)}</span>
        <span className="text-sm tabular-nums text-slate-700">
          <span data-testid={`${id}-text`}>{text}</span>
          {extrasText && <span data-testid={`${id}-extras`} className="font-medium text-violet-800"> + {extrasText}</span>}
        </span>
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
          className="relative flex h-2.5 overflow-hidden rounded-full bg-slate-200"
        >
          <div className={`h-full ${extras > 0 ? "" : "rounded-full"} ${fill[tone]}`} style={{ width: `${quotaWidth}%` }} />
          {extras > 0 && (
            <div data-testid={`${id}-extras-segment`} className="h-full border-l-2 border-white bg-violet-600 bg-[repeating-linear-gradient(135deg,transparent_0_4px,rgb(255_255_255/0.25)_4px_8px)]" style={{ width: `${extrasWidth}%` }} />
          )}
        </div>
      )}
      {extras > 0 && (
        <ul aria-hidden="true" className="flex flex-wrap gap-x-4 text-xs text-slate-600">
          <li className="flex items-center gap-1.5"><span className={`size-2.5 rounded-sm ${fill[tone]}`} />{groupDigits(used)} from the quota</li>
          <li className="flex items-center gap-1.5"><span className="size-2.5 rounded-sm bg-violet-600" />{groupDigits(props.fromExtras!)} from extras</li>
        </ul>
      )}
      <div className="flex flex-wrap justify-between gap-x-3 text-xs text-slate-600">
        <span>{resetText(kind, resetsAt)}</span>
        {words && (
          <span className={`font-semibold ${wordsColour[tone]}`}>
            {measure.percent}% used · {words}
          </span>
        )}
      </div>
      {measure.level === "all_in_use" && (
        <p data-testid={`${id}-note`} className="text-xs text-slate-700">
          {gaugeFullNote(feature, used)}
          {props.upgradeHref && (
            <>
              {" "}
              <Link className="font-medium underline underline-offset-2" href={props.upgradeHref}>See plans</Link>
            </>
          )}
        </p>
      )}
    </div>
  );
}
