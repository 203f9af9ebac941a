import Link from "next/link";
import { ActionForm } from "@/components/billing/action-form";
import { Card } from "@/components/ui/card";
import { formatDateTime } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { listEndpointsWithCounts } from "@/lib/webhooks/endpoints";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/event-types";
import { createEndpointAction } from "./actions";

export const dynamic = "force-dynamic";

export default async function WebhooksPage() {
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
        <ActionForm action={createEndpointAction} fields={{}} label="Create endpoint" pendingLabel="Creating…" testId="create-endpoint-form">
          <label className="block text-sm font-medium">URL
            <input name="url" type="url" required placeholder="https://api.example.com/tally-webhooks" className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2" />
          </label>
          <label className="block text-sm font-medium">Description (optional)
            <input name="description" maxLength={200} className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2" />
          </label>
          <fieldset className="text-sm">
            <legend className="font-medium">Event types</legend>
            <div className="mt-1 grid gap-1 sm:grid-cols-2">
              {Object.entries(WEBHOOK_EVENT_TYPES).map(([type, meaning]) => (
                <label key={type} className="flex items-start gap-2" title={meaning}>
                  <input type="checkbox" name="eventTypes" value={type} defaultChecked className="mt-1" />
                  <span className="break-all font-mono text-xs">{type}</span>
                </label>
              ))}
            </div>
          </fieldset>
        </ActionForm>
      </Card>
    </div>
  );
}
