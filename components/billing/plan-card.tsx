import { formatMoney } from "@/lib/money";

export interface PlanCardEntitlement {
  feature: string;
  limit: string | null;
  period: string;
}

const featureNames: Record<string, [string, string]> = { compute: ["compute", "compute"], api_calls: ["API call", "API calls"], seats: ["seat", "seats"], projects: ["project", "projects"] };
const periodNames: Record<string, string> = { day: "a day", week: "a week", month: "a month", billing_period: "a billing period", lifetime: "" };

function describe(e: PlanCardEntitlement): string {
  const [one, many] = featureNames[e.feature] ?? [e.feature, e.feature];
  const amount = e.limit === null ? "Unlimited" : Number(e.limit).toLocaleString("en-US");
  const per = periodNames[e.period] ?? e.period;
  return `${amount} ${e.limit !== null && Number(e.limit) === 1 ? one : many}${per && e.limit !== null ? ` ${per}` : ""}`;
}

/** A plan's price for the chosen interval, what it includes, and the action that fits the viewer's situation. */
export function PlanCard({
  name, description, priceCents, interval, currency, entitlements, grantUnits, trialDays, current, badge, children,
}: {
  name: string;
  description: string;
  priceCents: number;
  interval: "month" | "year";
  currency: string;
  entitlements: PlanCardEntitlement[];
  grantUnits: string;
  trialDays: number;
  current: boolean;
  badge?: string | null;
  children?: React.ReactNode;
}) {
  const grant = Number(grantUnits);
  return (
    <article
      aria-label={`${name} plan`}
      data-testid={`plan-${name.toLowerCase()}`}
      className={`flex flex-col rounded-lg border bg-white p-5 shadow-sm ${current ? "border-brand-600 ring-1 ring-brand-600" : "border-slate-200"}`}
    >
      <div className="flex items-start justify-between gap-2">
        <h2 className="text-lg font-semibold">{name}</h2>
        {badge && <span className="rounded bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-700">{badge}</span>}
      </div>
      <p className="mt-1 text-sm text-slate-600">{description}</p>
      <p className="mt-3">
        <span className="text-3xl font-bold">{formatMoney(priceCents, currency)}</span>
        <span className="text-sm text-slate-600"> / {interval}</span>
      </p>
      {interval === "year" && priceCents > 0 && <p className="text-xs text-slate-500">{formatMoney(Math.round(priceCents / 12), currency)} a month, billed yearly</p>}
      <ul className="mt-4 space-y-1 text-sm text-slate-800">
        {entitlements.map((e) => <li key={e.feature}>✓ {describe(e)}</li>)}
        {grant > 0 && <li>✓ {grant.toLocaleString("en-US")} extra compute with each paid invoice</li>}
        {trialDays > 0 && <li className="text-slate-600">{trialDays}-day free trial, no card needed</li>}
      </ul>
      <div className="mt-auto pt-5">{children}</div>
    </article>
  );
}
