import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { db } from "@/lib/db";
import { formatMoney } from "@/lib/money";

export const metadata = { title: "Pricing" };
export const dynamic = "force-dynamic";

const featureLabel: Record<string, string> = { compute: "compute units", api_calls: "API calls", seats: "seats", projects: "projects" };
const periodLabel: Record<string, string> = { day: "a day", week: "a week", month: "a month", billing_period: "a billing period", lifetime: "" };

export default async function PricingPage() {
  const plans = await db().plan.findMany({ where: { active: true }, orderBy: [{ sortOrder: "asc" }, { version: "desc" }], include: { entitlements: true } });
  return (
    <section className="py-10">
      <h1 className="text-center text-3xl font-bold tracking-tight">Pricing</h1>
      <p className="mt-2 text-center text-slate-600">Start free. Paid plans come with a 7-day trial, no card needed.</p>
      <div className="mt-10 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {plans.map((plan) => (
          <article key={plan.id} className="flex flex-col rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
            <h2 className="text-lg font-semibold">{plan.name}</h2>
            <p className="mt-1 text-sm text-slate-600">{plan.description}</p>
            <p className="mt-4 text-3xl font-bold">
              {formatMoney(plan.monthlyPriceCents, plan.currency)}
              <span className="text-base font-normal text-slate-500"> / month</span>
            </p>
            {plan.annualPriceCents > 0 && (
              <p className="text-sm text-slate-600">or {formatMoney(plan.annualPriceCents, plan.currency)} a year</p>
            )}
            <ul className="mt-4 flex-1 space-y-1 text-sm">
              {plan.entitlements.map((e) => (
                <li key={e.id}>
                  {e.limit === null ? "Unlimited" : Number(e.limit).toLocaleString("en-US")} {featureLabel[e.feature] ?? e.feature} {periodLabel[e.period]}
                </li>
              ))}
            </ul>
            <Link href="/sign-up" className={`${buttonClass(plan.monthlyPriceCents === 0 ? "secondary" : "primary")} mt-5`}>
              {plan.monthlyPriceCents === 0 ? "Start free" : plan.trialDays > 0 ? `Try ${plan.name} free for ${plan.trialDays} days` : `Choose ${plan.name}`}
            </Link>
          </article>
        ))}
      </div>
    </section>
  );
}
