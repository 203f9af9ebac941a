import Link from "next/link";
import { Card } from "@/components/ui/card";
import { formatDateTime } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { listEndpointsWithCounts } from "@/lib/webhooks/endpoints";
import { CreateEndpointForm } from "./endpoint-form";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

export default async function WebhooksPage() {
  await requireOperatorPage();
  const endpoints = await listEndpointsWithCounts(db());
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold text-slate-900">Outgoing webhooks</h1>
      <p className="text-sm text-slate-600">
        Tally tells your backend what changed in every workspace: each event is signed (Standard Webhooks), sent at least once,
        retried with backoff for 3 days, then the endpoint is disabled and you are told here.
      </p>
      <Card title="Endpoints">
        {endpoints.length === 0 ? <p className="text-sm text-slate-600">No endpoints yet.</p> : (
          <ul className="divide-y divide-slate-100" data-testid="webhook-endpoints">
            {endpoints.map((e) => (
              <li key={e.id} className="flex flex-col gap-1 py-2.5 text-sm sm:flex-row sm:items-center sm:gap-4" data-testid="webhook-endpoint-row">
                <Link href={`/admin/webhooks/${e.id}`} className="break-all font-medium text-brand-700 hover:underline">{e.url}</Link>
                <span className={e.enabled ? "text-green-800" : "font-medium text-red-700"}>{e.enabled ? "Enabled" : `Disabled: ${e.disabledReason ?? ""}`}</span>
                <span className="text-slate-600">{e.delivered} delivered · {e.pending} pending · {e.failed} failed</span>
                <span className="text-xs text-slate-500 sm:ml-auto">{e.eventTypes.length} event types · since {formatDateTime(e.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Add an endpoint" className="[overflow-wrap:anywhere]">
        <CreateEndpointForm requestId={`we_${crypto.randomUUID().replaceAll("-", "")}`} />
      </Card>
    </div>
  );
}
