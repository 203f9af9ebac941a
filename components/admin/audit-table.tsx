import Link from "next/link";
import { formatDateTime } from "@/lib/billing-views/format";

interface Entry {
  id: string;
  createdAt: Date;
  actorKind: string;
  actorEmail: string | null;
  workspaceId: string | null;
  action: string;
  before: unknown;
  after: unknown;
  memo: string | null;
}

const show = (v: unknown) => (v === null || v === undefined ? "" : JSON.stringify(v));

/** The audit log as a table: who, when, what, and the values before and after. */
export function AuditTable({ entries, withWorkspace = false }: { entries: Entry[]; withWorkspace?: boolean }) {
  if (entries.length === 0) return <p className="text-sm text-slate-600">Nothing recorded yet.</p>;
  return (
    <div className="overflow-x-auto" role="region" aria-label="Audit log entries" tabIndex={0}>
      <table className="w-full min-w-[40rem] text-sm" data-testid="audit-table">
        <thead>
          <tr className="text-left text-slate-600">
            <th className="py-1.5 pr-3 font-medium">When</th><th className="py-1.5 pr-3 font-medium">Who</th><th className="py-1.5 pr-3 font-medium">Action</th>
            {withWorkspace && <th className="py-1.5 pr-3 font-medium">Workspace</th>}
            <th className="py-1.5 pr-3 font-medium">Before</th><th className="py-1.5 pr-3 font-medium">After</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} className="border-t border-slate-100 align-top" data-testid="audit-row">
              <td className="whitespace-nowrap py-1.5 pr-3">{formatDateTime(e.createdAt)}</td>
              <td className="py-1.5 pr-3 break-all">{e.actorEmail ?? e.actorKind}<span className="block text-xs text-slate-500">{e.actorKind}</span></td>
              <td className="py-1.5 pr-3">{e.action}{e.memo && <span className="block text-xs text-slate-600">“{e.memo}”</span>}</td>
              {withWorkspace && <td className="py-1.5 pr-3">{e.workspaceId ? <Link href={`/admin/workspaces/${e.workspaceId}`} className="text-brand-700 hover:underline">open</Link> : "—"}</td>}
              <td className="max-w-xs py-1.5 pr-3 font-mono text-xs break-all text-slate-600">{show(e.before)}</td>
              <td className="max-w-xs py-1.5 pr-3 font-mono text-xs break-all">{show(e.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
