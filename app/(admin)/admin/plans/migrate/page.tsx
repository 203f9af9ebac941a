import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionForm } from "@/components/billing/action-form";
import { TermsCompare } from "@/components/admin/terms";
import { migrationPreview } from "@/lib/admin/plan-migrations";
import { groupDigits } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { startMigrationAction } from "../actions";
import { subscriptionStatusLabel } from "@/lib/format";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

const param = (v: string | string[] | undefined) => (typeof v === "string" && /^[A-Za-z0-9_-]{1,100}$/.test(v) ? v : undefined);

/** The preview of a migration: each workspace on the source version with its terms before and after, a page at a time. */
export default async function MigrationPreviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOperatorPage();
  const sp = await searchParams;
  const fromPlanId = param(sp.from);
  const toPlanId = param(sp.to);
  if (!fromPlanId || !toPlanId) notFound();
  let preview;
  try {
    preview = await migrationPreview(db(), { fromPlanId, toPlanId, after: param(sp.after) });
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  }
  const { from, to, total, rows, next } = preview;
  const blocked = rows.filter((r) => r.blocked).length;
  const label = (p: { name: string; version: number }) => `${p.name} v${p.version}`;
  return (
    <div className="space-y-4">
      <div>
        <Link href={`/admin/plans/${from.key}`} className="text-sm text-brand-700 hover:underline">← {from.name}</Link>
        <h1 className="mt-1 text-2xl font-semibold text-slate-900">Migrate {label(from)} → {label(to)}</h1>
        <p className="text-sm text-slate-600">
          {groupDigits(String(total))} {total === 1 ? "workspace is" : "workspaces are"} on {label(from)}. Each moves now: a paid subscription&apos;s Stripe price changes with no proration (nothing charged or
          credited for this period; the next renewal bills the new price); higher limits apply to the open windows at once, lower ones from the next window.
          Overrides stay. Starting the migration freezes this preview; its page then shows each result against it.
        </p>
      </div>
      {!to.active && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{label(to)} is archived: it takes no new subscriptions. Choose an active version.</p>}
      {total > 0 && to.active && (
        <ActionForm action={startMigrationAction} fields={{ fromPlanId: from.id, toPlanId: to.id }} label={`Start migration of ${groupDigits(String(total))} ${total === 1 ? "workspace" : "workspaces"}`} pendingLabel="Migrating…" testId="start-migration" />
      )}
      {rows.length === 0 ? <p className="text-sm text-slate-600">No workspace is on {label(from)}.</p> : (
        <ul className="space-y-3" data-testid="migration-preview">
          {rows.map((r) => (
            <li key={r.workspaceId} className="rounded-lg border border-slate-200 bg-white p-3" data-testid="preview-row">
              <div className="mb-2 flex flex-wrap items-baseline gap-x-3">
                <Link href={`/admin/workspaces/${r.workspaceId}`} className="font-medium text-brand-700 hover:underline">{r.name}</Link>
                <span className="text-xs text-slate-500">{subscriptionStatusLabel(r.status)}{r.stripeBacked ? " · billed by Stripe" : ""}</span>
              </div>
              <TermsCompare before={r.before} after={r.after} />
              {r.blocked ? <p className="mt-2 text-sm font-medium text-red-700">Not moved: {r.blocked}</p> : null}
              {r.notes.length > 0 && <ul className="mt-2 list-disc pl-5 text-xs text-slate-600">{r.notes.map((n) => <li key={n}>{n}</li>)}</ul>}
            </li>
          ))}
        </ul>
      )}
      {blocked > 0 && <p className="text-sm text-slate-600">{blocked} on this page will be skipped, with the reason shown.</p>}
      {next && <Link href={`/admin/plans/migrate?${new URLSearchParams({ from: from.id, to: to.id, after: next })}`} className="inline-block text-sm font-medium text-brand-700 hover:underline">Next workspaces →</Link>}
    </div>
  );
}
