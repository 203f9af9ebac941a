import Link from "next/link";
import { planCatalog } from "@/lib/admin/plans";
import { formatDate, groupDigits } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { formatMoney } from "@/lib/money";
import { codeLabel } from "@/lib/format";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

export default async function AdminPlans() {
  await requireOperatorPage();
  const catalog = await planCatalog(db());
  const migrations = await db().planMigration.findMany({ orderBy: { createdAt: "desc" }, take: 10 });
  const label = new Map(catalog.flatMap((k) => k.versions.map((v) => [v.id, `${v.name} v${v.version}`] as const)));
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Plans</h1>
        <p className="text-sm text-slate-600">
          Every plan and its versions. New subscriptions get a plan&apos;s active version; a version in use never changes (editing publishes the next one), and
          its subscriptions keep it until they are migrated.
        </p>
      </div>
      <ul className="space-y-4">
        {catalog.map((k) => (
          <li key={k.key} className="rounded-lg border border-slate-200 bg-white shadow-sm" data-testid={`plan-key-${k.key}`}>
            <div className="flex flex-wrap items-center gap-3 border-b border-slate-100 px-4 py-3">
              <h2 className="text-base font-semibold text-slate-900">{k.name}</h2>
              <span className="font-mono text-xs text-slate-500">{k.key}</span>
              <Link href={`/admin/plans/${k.key}`} className="ml-auto text-sm font-medium text-brand-700 hover:underline">Versions and actions</Link>
              <Link href={`/admin/plans/${k.key}/new`} className="text-sm font-medium text-brand-700 hover:underline">New version</Link>
            </div>
            {/* A grid on wide screens, one block per version on narrow ones: every figure stays in view. */}
            <div className="hidden px-4 pt-2 text-sm text-slate-600 sm:grid sm:grid-cols-[4rem_8rem_1fr_8rem_12rem] sm:gap-3" aria-hidden="true">
              <span>Version</span><span>State</span><span>Price</span><span className="text-right">Subscriptions</span><span>Since</span>
            </div>
            <ul className="divide-y divide-slate-100 text-sm">
              {k.versions.map((v) => (
                <li key={v.id} className="flex flex-wrap gap-x-3 gap-y-0.5 px-4 py-2 sm:grid sm:grid-cols-[4rem_8rem_1fr_8rem_12rem] sm:gap-3" data-testid="plan-version-row">
                  <span className="font-medium">v{v.version}</span>
                  <span>
                    {v.active ? <span className="rounded bg-green-50 px-1.5 py-0.5 text-green-800">active</span> : <span className="rounded bg-slate-100 px-1.5 py-0.5 text-slate-700">archived</span>}
                    {!v.stripeSynced && <span className="ml-2 text-xs text-amber-700">no Stripe price</span>}
                  </span>
                  <span className="tabular-nums">{formatMoney(v.monthlyPriceCents, v.currency)}/mo · {formatMoney(v.annualPriceCents, v.currency)}/yr</span>
                  <span className="tabular-nums sm:text-right">{groupDigits(String(v.subscriptions))}<span className="sm:hidden"> {v.subscriptions === 1 ? "subscription" : "subscriptions"}</span></span>
                  <span className="text-slate-600">{formatDate(v.effectiveFrom)}{v.effectiveUntil ? ` – ${formatDate(v.effectiveUntil)}` : ""}</span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="mb-2 text-base font-semibold text-slate-900">Recent migrations</h2>
        {migrations.length === 0 ? <p className="text-sm text-slate-600">None yet. Start one from a version&apos;s page.</p> : (
          <ul className="divide-y divide-slate-100 text-sm">
            {migrations.map((m) => (
              <li key={m.id} className="flex flex-col gap-1 py-2 sm:flex-row sm:items-center sm:gap-4">
                <Link href={`/admin/plans/migrations/${m.id}`} className="font-medium text-brand-700 hover:underline">{label.get(m.fromPlanId)} → {label.get(m.toPlanId)}</Link>
                <span className="text-slate-600">{codeLabel(m.status)}: {m.moved} of {m.total} moved{m.failed ? `, ${m.failed} failed` : ""}</span>
                <span className="text-xs text-slate-500 sm:ml-auto">{formatDate(m.createdAt)} by {m.createdByEmail}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
