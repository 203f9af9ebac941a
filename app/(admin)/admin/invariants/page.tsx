import { ActionForm } from "@/components/billing/action-form";
import { Card } from "@/components/ui/card";
import Link from "next/link";
import { invariantStatus } from "@/lib/admin/invariants";
import { formatDateTime } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { runInvariantCheckAction } from "../actions";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

export default async function InvariantsPage() {
  await requireOperatorPage();
  const { open, lastCheckedAt } = await invariantStatus(db());
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold text-slate-900">Books</h1>
      <Card>
        <p className="text-sm" data-testid="invariant-summary">
          {open.length === 0 ? "No open violations: balances, lots, ledger, windows and subscriptions agree." : `${open.length} open violation${open.length === 1 ? "" : "s"}.`}{" "}
          <span className="text-slate-600">{lastCheckedAt ? `Last checked ${formatDateTime(lastCheckedAt)}.` : "Not checked yet."} The reconcile cron checks every run.</span>
        </p>
        <ActionForm action={runInvariantCheckAction} fields={{}} label="Check now" pendingLabel="Checking…" variant="secondary" className="mt-3" />
      </Card>
      {open.length > 0 && (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" role="region" aria-label="Open invariant violations" tabIndex={0}>
          <table className="table-stack w-full text-sm sm:min-w-[40rem]">
            <thead><tr className="text-left text-slate-600"><th className="p-2 font-medium">Severity</th><th className="p-2 font-medium">Check</th><th className="p-2 font-medium">Workspace</th><th className="p-2 font-medium">Expected</th><th className="p-2 font-medium">Actual</th><th className="p-2 font-medium">Since</th></tr></thead>
            <tbody>
              {open.map((v) => (
                <tr key={v.id} className="border-t border-slate-100 align-top" data-testid="violation-row">
                  <td data-label="Severity" className={`p-2 font-medium ${v.severity === "critical" ? "text-red-700" : "text-amber-700"}`}>{v.severity}</td>
                  <td data-label="Check" className="p-2"><span>{v.check}<span className="block break-all text-xs text-slate-500">{v.subjectId}</span></span></td>
                  <td data-label="Workspace" className="p-2">{v.workspaceId ? <Link href={`/admin/workspaces/${v.workspaceId}`} className="text-brand-700 hover:underline">open</Link> : "—"}</td>
                  <td data-label="Expected" className="p-2 font-mono text-xs">{v.expected}</td>
                  <td data-label="Actual" className="p-2 font-mono text-xs">{v.actual}</td>
                  <td data-label="Since" className="p-2 text-xs">{formatDateTime(v.firstSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
