import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { IntervalToggle } from "@/components/billing/interval-toggle";
import { ComputeUnitExplainer } from "@/components/marketing/compute-unit";
import { Faq } from "@/components/marketing/faq";
import { db } from "@/lib/db";
import { formatMoney } from "@/lib/money";

export const metadata = { title: "Pricing" };
export const dynamic = "force-dynamic";

const featureLabel: Record<string, [string, string]> = { compute: ["compute unit", "compute units"], api_calls: ["API call", "API calls"], seats: ["seat", "seats"], projects: ["project", "projects"] };
// Compute first: it is what the tiers are mostly about.
const featureOrder = ["compute", "api_calls", "seats", "projects"];
const rank = (feature: string) => {
  const i = featureOrder.indexOf(feature);
  return i === -1 ? featureOrder.length : i;
};
const periodLabel: Record<string, string> = { day: "a day", week: "a week", month: "a month", billing_period: "a billing period", lifetime: "" };

const limitText = (limit: string | null) => (limit === null ? "Unlimited" : Number(limit).toLocaleString("en-US"));

export default async function PricingPage({ searchParams }: { searchParams: Promise<{ billing?: string }> }) {
  const annual = (await searchParams).billing === "annual";
  const [all, packs] = await Promise.all([
    db().plan.findMany({ where: { active: true }, orderBy: [{ sortOrder: "asc" }, { version: "desc" }], include: { entitlements: true } }),
    db().extrasPack.findMany({ where: { active: true }, orderBy: { sortOrder: "asc" } }),
  ]);
  // The catalog keeps every version; the public page offers the newest of each plan.
  const plans = all.filter((p, i) => all.findIndex((q) => q.key === p.key) === i);
  return (
    <div className="space-y-16 py-10">
    <section>
      <h1 className="text-center text-3xl font-bold tracking-tight">Pricing</h1>
      <p className="mt-2 text-center text-slate-600">Start free. Paid plans come with a 7-day trial, no card needed.</p>
      <div className="mt-6 flex justify-center">
        <IntervalToggle annual={annual} monthlyHref="/pricing" annualHref="/pricing?billing=annual" />
      </div>
      <div className="mt-8 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {plans.map((plan) => {
          const free = plan.monthlyPriceCents === 0;
          const saving = plan.monthlyPriceCents * 12 - plan.annualPriceCents;
          return (
            <article key={plan.id} data-testid={`pricing-${plan.key}`} className="flex flex-col rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
              <h2 className="text-lg font-semibold">{plan.name}</h2>
              <p className="mt-1 text-sm text-slate-600">{plan.description}</p>
              <p className="mt-4 text-3xl font-bold tabular-nums">
                {formatMoney(annual && !free ? plan.annualPriceCents : plan.monthlyPriceCents, plan.currency)}
                <span className="text-base font-normal text-slate-500">{annual && !free ? " / year" : " / month"}</span>
              </p>
              <p className="min-h-5 text-sm text-slate-600">
                {free ? "Free forever" : annual ? `${formatMoney(Math.round(plan.annualPriceCents / 12), plan.currency)} a month${saving > 0 ? `, save ${formatMoney(saving, plan.currency)}` : ""}` : `or ${formatMoney(plan.annualPriceCents, plan.currency)} a year`}
              </p>
              <ul className="mt-4 flex-1 space-y-1.5 text-sm">
                {plan.entitlements
                  .slice()
                  .sort((a, b) => rank(a.feature) - rank(b.feature) || a.feature.localeCompare(b.feature))
                  .map((e) => (
                    <li key={e.id} className="flex gap-2">
                      <span aria-hidden="true" className="text-brand-600">✓</span>
                      <span>{limitText(e.limit === null ? null : e.limit.toFixed())} {(featureLabel[e.feature] ?? [e.feature, e.feature])[e.limit !== null && e.limit.toFixed() === "1" ? 0 : 1]} {periodLabel[e.period]}</span>
                    </li>
                  ))}
                {plan.grantUnits.gt(0) && (
                  <li className="flex gap-2" data-testid={`grant-${plan.key}`}>
                    <span aria-hidden="true" className="text-brand-600">+</span>
                    <span>
                      <strong className="font-semibold">{limitText(plan.grantUnits.toFixed())} extra compute units</strong> with each payment
                      {plan.grantExpiresDays ? `, valid ${plan.grantExpiresDays} days` : ""}
                    </span>
                  </li>
                )}
              </ul>
              <Link href="/sign-up" className={`${buttonClass(free ? "secondary" : "primary")} mt-5`}>
                {free ? "Start free" : plan.trialDays > 0 ? `Try ${plan.name} free for ${plan.trialDays} days` : `Choose ${plan.name}`}
              </Link>
            </article>
          );
        })}
      </div>
    </section>

    <section aria-labelledby="packs" className="space-y-6">
      <div className="text-center">
        <h2 id="packs" className="text-2xl font-bold tracking-tight">Extras packs</h2>
        <p className="mx-auto mt-2 max-w-2xl text-slate-600">
          Prepaid compute for the weeks that need more than the quota, on any plan. Bought once, used only above the quota, soonest-expiring first.
        </p>
      </div>
      <ul className="mx-auto grid max-w-4xl gap-4 sm:grid-cols-3">
        {packs.map((p) => {
          const units = Number(p.units.toFixed());
          return (
            <li key={p.id} data-testid={`pricing-pack-${p.key}`} className="rounded-xl border border-slate-200 bg-white p-5 text-center shadow-sm">
              <p className="text-sm font-medium text-slate-600">{limitText(p.units.toFixed())} compute units</p>
              <p className="mt-1 text-3xl font-bold tabular-nums">{formatMoney(p.priceCents, p.currency)}</p>
              <p className="mt-1 text-sm text-slate-600">
                {units > 0 ? `${formatMoney(Math.round((p.priceCents / units) * 100), p.currency)} per 100 units · ` : ""}lasts {p.expiresAfterDays === 365 ? "a year" : `${p.expiresAfterDays} days`}
              </p>
            </li>
          );
        })}
      </ul>
    </section>

    <ComputeUnitExplainer />

    <Faq />
    </div>
  );
}
