import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionForm } from "@/components/billing/action-form";
import { TermsCompare } from "@/components/admin/terms";
import { migrationItems } from "@/lib/admin/plan-migrations";
import { formatDateTime } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { runMigrationAction } from "../../actions";
import { codeLabel } from "@/lib/format";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

const STATUSES = ["pending", "moved", "skipped", "failed"] as const;

/** A migration's progress and each workspace's result against the frozen preview, a page at a time. */
export default async function MigrationPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOperatorPage();
  const { id } = await params;
  const sp = await searchParams;
  const m = await db().planMigration.findUnique({ where: { id } });
  if (!m) notFound();
  const status = STATUSES.find((s) => s === sp.status);
  const after = typeof sp.after === "string" ? sp.after.slice(0, 100) : undefined;
  const [plans, groups, page] = await Promise.all([
    db().plan.findMany({ where: { id: { in: [m.fromPlanId, m.toPlanId] } }, select: { id: true, key: true, name: true, version: true } }),
    db().planMigrationItem.groupBy({ by: ["status"], where: { migrationId: id }, _count: { _all: true } }),
    migrationItems(db(), id, { after, status }),
  ]);
  const label = (planId: string) => {
    const p = plans.find((x) => x.id === planId);
    return p ? `${p.name} v${p.version}` : planId;
  };
  const count = (s: string) => groups.find((g) => g.status === s)?._count._all ?? 0;
  const mismatches = page.items.filter((i) => i.matches === false).length;
  return (
    <div className="space-y-4">
      <div>
        <Link href="/admin/plans" className="text-sm text-brand-700 hover:underline">← Plans</Link>
        <h1 className="mt-1 text-2xl font-semibold text-slate-900">Migration {label(m.fromPlanId)} → {label(m.toPlanId)}</h1>
        <p className="text-sm text-slate-600">Started {formatDateTime(m.createdAt)} by {m.createdByEmail}{m.finishedAt ? `, finished ${formatDateTime(m.finishedAt)}` : ""}.</p>
      </div>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5" data-testid="migration-counts">
        {[["Status", codeLabel(m.status)], ["Moved", count("moved")], ["To go", count("pending")], ["Skipped", count("skipped")], ["Failed", count("failed")]].map(([k, v]) => (
          <div key={k} className="rounded-lg border border-slate-200 bg-white p-3">
            <dt className="text-xs text-slate-600">{k}</dt>
            <dd className="text-lg font-semibold tabular-nums" data-testid={`migration-${String(k).toLowerCase().replace(" ", "-")}`}>{v}</dd>
          </div>
        ))}
      </dl>
      {m.status === "done" ? (
        <p className="text-sm text-slate-700" data-testid="migration-done">Done. Running it again would change nothing: every workspace was moved once.</p>
      ) : (
        <ActionForm action={runMigrationAction} fields={{ migrationId: m.id }} label={count("pending") === 0 && count("failed") > 0 ? "Retry the failed ones" : "Continue migration"} pendingLabel="Migrating…" testId="run-migration">
          <p className="text-sm text-slate-600">Goes on from where the last run stopped; a workspace already moved is never moved twice.</p>
        </ActionForm>
      )}
      {m.lastError && m.status !== "done" && <p className="text-sm text-red-700">Last error: {m.lastError}</p>}
      <nav aria-label="Filter items" className="flex flex-wrap gap-2 text-sm">
        {[undefined, ...STATUSES].map((s) => (
          <Link key={s ?? "all"} href={`/admin/plans/migrations/${m.id}${s ? `?status=${s}` : ""}`} aria-current={s === status ? "page" : undefined} className={`rounded-md px-2 py-1 ${s === status ? "bg-slate-900 text-white" : "bg-white text-slate-700 ring-1 ring-slate-200"}`}>{s ?? "all"}</Link>
        ))}
      </nav>
      {mismatches > 0 && <p role="alert" className="text-sm text-red-700">{mismatches} results on this page differ from the preview (a window rolled over, or the workspace changed, between the preview and the move).</p>}
      <ul className="space-y-3">
        {page.items.map((i) => (
          <li key={i.workspaceId} className="rounded-lg border border-slate-200 bg-white p-3" data-testid="migration-item">
            <div className="mb-2 flex flex-wrap items-baseline gap-x-3">
              <Link href={`/admin/workspaces/${i.workspaceId}`} className="font-medium text-brand-700 hover:underline">{i.name}</Link>
              <span className="text-sm">{codeLabel(i.status)}</span>
              {i.matches === true && <span className="text-xs text-green-800" data-testid="matches-preview">result equals the preview</span>}
              {i.matches === false && <span className="text-xs font-medium text-red-700">result differs from the preview</span>}
            </div>
            <TermsCompare before={i.expected.before} after={i.expected.after} actual={i.status === "moved" ? i.actual : undefined} />
            {i.error && <p className="mt-1 text-sm text-red-700">{i.error}</p>}
          </li>
        ))}
      </ul>
      {page.next && <Link href={`/admin/plans/migrations/${m.id}?${new URLSearchParams({ ...(status ? { status } : {}), after: page.next })}`} className="inline-block text-sm font-medium text-brand-700 hover:underline">Next workspaces →</Link>}
    </div>
  );
}
