import Link from "next/link";
import { AuditTable } from "@/components/admin/audit-table";
import { listAudit, parseAuditCursor } from "@/lib/admin/audit";
import { db } from "@/lib/db";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

const text = (v: unknown, max = 200) => (typeof v === "string" && v.trim() ? v.trim().slice(0, max) : undefined);

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOperatorPage();
  const sp = await searchParams;
  const filter = { workspaceId: text(sp.workspace, 64), action: text(sp.action, 100), actor: text(sp.actor) };
  const { entries, next } = await listAudit(db(), { ...filter, before: parseAuditCursor(text(sp.before, 20)) });
  const query = (extra: Record<string, string>) =>
    new URLSearchParams({ ...(filter.workspaceId ? { workspace: filter.workspaceId } : {}), ...(filter.action ? { action: filter.action } : {}), ...(filter.actor ? { actor: filter.actor } : {}), ...extra });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold text-slate-900">Audit log</h1>
      <form className="flex flex-wrap items-end gap-2" aria-label="Filter the audit log">
        <label className="text-sm">Action<input name="action" defaultValue={filter.action} placeholder="extras.adjusted" className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5" /></label>
        <label className="text-sm">Actor email<input name="actor" defaultValue={filter.actor} className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5" /></label>
        <label className="text-sm">Workspace id<input name="workspace" defaultValue={filter.workspaceId} className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5" /></label>
        <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">Filter</button>
      </form>
      <AuditTable entries={entries} withWorkspace />
      {next !== null && <Link href={`/admin/audit?${query({ before: String(next) })}`} className="inline-block text-sm font-medium text-brand-700 hover:underline">Older entries →</Link>}
    </div>
  );
}
