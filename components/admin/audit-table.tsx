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

/** The audit log as a table: who, when, what, and the values before and after. On a phone each entry stacks (globals.css). */
export function AuditTable({ entries, withWorkspace = false }: { entries: Entry[]; withWorkspace?: boolean }) {
  if (entries.length === 0) return <p className="text-sm text-slate-600">Nothing recorded yet.</p>;
  return (
    <div className="overflow-x-auto" role="region" aria-label="Audit log entries" tabIndex={0}>
      <table className="table-stack w-full text-sm sm:min-w-[40rem]" data-testid="audit-table">
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
              <td data-label="When" className="whitespace-nowrap py-1.5 pr-3">{formatDateTime(e.createdAt)}</td>
              <td data-label="Who" className="py-1.5 pr-3 break-all"><span>{e.actorEmail ?? e.actorKind}<span className="block text-xs text-slate-500">{e.actorKind}</span></span></td>
              <td data-label="Action" className="py-1.5 pr-3"><span>{e.action}{e.memo && <span className="block text-xs text-slate-600">“{e.memo}”</span>}</span></td>
              {withWorkspace && <td data-label="Workspace" className="py-1.5 pr-3">{e.workspaceId ? <Link href={`/admin/workspaces/${e.workspaceId}`} className="text-brand-700 hover:underline">open</Link> : "—"}</td>}
              <td data-label="Before" className="max-w-xs py-1.5 pr-3 font-mono text-xs break-all text-slate-600">{show(e.before)}</td>
              <td data-label="After" className="max-w-xs py-1.5 pr-3 font-mono text-xs break-all">{show(e.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
