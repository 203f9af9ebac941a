import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionForm } from "@/components/billing/action-form";
import { Card } from "@/components/ui/card";
import { planVersions } from "@/lib/admin/plans";
import { featureTitle, formatDate, groupDigits } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { formatMoney } from "@/lib/money";
import { archivePlanAction, restorePlanAction } from "../actions";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

const subscriptions = (n: number) => `${groupDigits(String(n))} ${n === 1 ? "subscription" : "subscriptions"}`;

const periodWords: Record<string, string> = { day: "a day", week: "a week", month: "a month", billing_period: "a billing period", lifetime: "in all" };

export default async function PlanVersionsPage({ params }: { params: Promise<{ key: string }> }) {
  await requireOperatorPage();
  const { key } = await params;
  const versions = await planVersions(db(), key);
  if (versions.length === 0) notFound();
  const [counts, targets] = await Promise.all([
    db().subscription.groupBy({ by: ["planId"], where: { planId: { in: versions.map((v) => v.id) } }, _count: { _all: true } }),
    db().plan.findMany({ where: { active: true }, orderBy: [{ sortOrder: "asc" }, { version: "desc" }], select: { id: true, name: true, version: true } }),
  ]);
  const n = new Map(counts.map((c) => [c.planId, c._count._all]));
  const latest = versions[0]!;
  return (
    <div className="space-y-5">
      <div>
        <Link href="/admin/plans" className="text-sm text-brand-700 hover:underline">← Plans</Link>
        <h1 className="mt-1 text-2xl font-semibold text-slate-900">{latest.name} <span className="font-mono text-base font-normal text-slate-500">{key}</span></h1>
        <p className="text-sm text-slate-600">
          <Link href={`/admin/plans/${key}/new`} className="font-medium text-brand-700 hover:underline">New version from v{latest.version}</Link> · versions in use never change.
        </p>
      </div>
      {versions.map((v) => {
        const subs = n.get(v.id) ?? 0;
        const weights = Object.entries(v.actionWeights as Record<string, string>).sort(([, a], [, b]) => Number(a) - Number(b)).map(([a, w]) => `${a} ${w}`).join(", ");
        return (
          <Card key={v.id} title={`v${v.version} · ${v.active ? "active" : "archived"}`} actions={<span className="text-sm text-slate-600" data-testid={`subs-v${v.version}`}>{subscriptions(subs)}</span>}>
            <div className="grid gap-4 md:grid-cols-2" data-testid={`plan-version-${v.version}`}>
              <ul className="space-y-1 text-sm">
                <li>{formatMoney(v.monthlyPriceCents, v.currency)} a month, {formatMoney(v.annualPriceCents, v.currency)} a year{v.trialDays ? `; ${v.trialDays}-day trial` : ""}</li>
                {[...v.entitlements].sort((a, b) => a.feature.localeCompare(b.feature)).map((e) => (
                  <li key={e.id}>{featureTitle(e.feature)}: {e.limit === null ? "unlimited" : groupDigits(e.limit.toFixed())} {periodWords[e.period]}, past it {e.overflow === "extras" ? "extras pay" : e.overflow === "soft" ? "allowed" : "blocked"}</li>
                ))}
                <li className="text-slate-600">Ratios: run {v.runBaseUnits.toFixed()}, $1 = {v.dollarsToUnits.toFixed()} units, at most {v.maxUnitsPerRun ? v.maxUnitsPerRun.toFixed() : "no cap"} a run; weights {weights}</li>
                <li className="text-slate-600">Grant: {v.grantUnits.isZero() ? "none" : `${v.grantUnits.toFixed()} units${v.grantExpiresDays ? `, expiring after ${v.grantExpiresDays} days` : ""}`}</li>
                <li className="text-slate-500">From {formatDate(v.effectiveFrom)}{v.effectiveUntil ? ` to ${formatDate(v.effectiveUntil)}` : ""}{v.stripeMonthlyPriceId ? ` · ${v.stripeMonthlyPriceId}` : ""}</li>
              </ul>
              <div className="space-y-3">
                {v.active ? (
                  <ActionForm action={archivePlanAction} fields={{ planId: v.id }} label="Archive" pendingLabel="Archiving…" variant="danger" testId={`archive-v${v.version}`}>
                    <p className="text-sm text-slate-600">Archiving stops new subscriptions on v{v.version}; the {subscriptions(subs)} on it keep it.</p>
                  </ActionForm>
                ) : v.id === latest.id ? (
                  <ActionForm action={restorePlanAction} fields={{ planId: v.id }} label="Offer again" pendingLabel="Restoring…" variant="secondary" testId={`restore-v${v.version}`} />
                ) : null}
                {subs > 0 && (
                  <form action="/admin/plans/migrate" className="space-y-2" data-testid={`migrate-v${v.version}`}>
                    <input type="hidden" name="from" value={v.id} />
                    <label className="block text-sm">Move its {subscriptions(subs)} to
                      <select name="to" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" defaultValue={targets.find((t) => t.id !== v.id && versions.some((x) => x.id === t.id))?.id}>
                        {targets.filter((t) => t.id !== v.id).map((t) => <option key={t.id} value={t.id}>{t.name} v{t.version}</option>)}
                      </select>
                    </label>
                    <button type="submit" className="rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium hover:bg-slate-100">Preview migration</button>
                  </form>
                )}
              </div>
            </div>
          </Card>
        );
      })}
    </div>
  );
}
