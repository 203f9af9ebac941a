import type { Terms } from "@/lib/admin/plan-moves";
import { featureTitle, groupDigits } from "@/lib/billing-views/format";
import { formatMoney } from "@/lib/money";

const limit = (v: string | null | undefined) => (v === undefined ? "—" : v === null ? "unlimited" : groupDigits(v));

/**
 * A workspace's terms before and after a move, side by side: the price for its interval, each feature's
 * limit, and the quota of each window open now. Changed values are bold.
 */
export function TermsCompare({ before, after, actual }: { before: Terms; after: Terms; actual?: Terms | null }) {
  const features = [...new Set([...Object.keys(before.limits), ...Object.keys(after.limits)])].sort();
  const cell = (a: string, b: string) => (a === b ? <span className="text-slate-600">{b}</span> : <strong>{b}</strong>);
  const price = (t: Terms) => `${formatMoney(t.priceCents, t.currency)}/${t.interval === "year" ? "yr" : "mo"}`;
  return (
    <table className="w-full text-xs sm:text-sm">
      <thead>
        <tr className="text-left text-slate-500">
          <th className="py-0.5 pr-2 font-medium" />
          <th className="py-0.5 pr-2 font-medium">Before</th>
          <th className="py-0.5 pr-2 font-medium">After</th>
          {actual !== undefined && <th className="py-0.5 font-medium">Result</th>}
        </tr>
      </thead>
      <tbody>
        <tr><td className="pr-2 text-slate-500">Plan</td><td className="pr-2">{before.plan}</td><td className="pr-2">{cell(before.plan, after.plan)}</td>{actual !== undefined && <td>{actual?.plan ?? "—"}</td>}</tr>
        <tr><td className="pr-2 text-slate-500">Price</td><td className="pr-2 tabular-nums">{price(before)}</td><td className="pr-2 tabular-nums">{cell(price(before), price(after))}</td>{actual !== undefined && <td className="tabular-nums">{actual ? price(actual) : "—"}</td>}</tr>
        {features.map((f) => (
          <tr key={f}>
            <td className="pr-2 text-slate-500">{featureTitle(f)}</td>
            <td className="pr-2 tabular-nums">{limit(before.limits[f])}{before.windows[f] !== undefined && before.windows[f] !== before.limits[f] ? ` (now ${limit(before.windows[f])})` : ""}</td>
            <td className="pr-2 tabular-nums">
              {cell(limit(before.limits[f]), limit(after.limits[f]))}
              {after.windows[f] !== undefined && <span className="text-slate-500"> · this window {limit(after.windows[f])}</span>}
            </td>
            {actual !== undefined && <td className="tabular-nums">{actual ? `${limit(actual.limits[f])}${actual.windows[f] !== undefined ? ` · window ${limit(actual.windows[f])}` : ""}` : "—"}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
