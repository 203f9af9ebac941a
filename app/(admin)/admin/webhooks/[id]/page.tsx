import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionForm } from "@/components/billing/action-form";
import { Card } from "@/components/ui/card";
import { formatDateTime } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { endpointDeliveries } from "@/lib/webhooks/endpoints";
import { deleteEndpointAction, resendDeliveryAction, setEndpointEnabledAction } from "../actions";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

const STATUSES = ["pending", "delivered", "failed"] as const;
const statusWords: Record<string, string> = { pending: "Pending", delivered: "Delivered", failed: "Gave up" };

export default async function WebhookEndpointPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOperatorPage();
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  const status = STATUSES.find((s) => s === sp.status);
  const found = await endpointDeliveries(db(), id, 50, status);
  if (!found) notFound();
  const { endpoint: e, deliveries } = found;
  return (
    <div className="space-y-4">
      <Link href="/admin/webhooks" className="text-sm text-brand-700 hover:underline">← Outgoing webhooks</Link>
      <h1 className="break-all text-2xl font-semibold text-slate-900">{e.url}</h1>
      <Card>
        <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-600">Status</dt>
          <dd data-testid="webhook-endpoint-status" className={e.enabled ? "text-green-800" : "font-medium text-red-700"}>{e.enabled ? "Enabled" : `Disabled${e.disabledAt ? ` ${formatDateTime(e.disabledAt)}` : ""}: ${e.disabledReason ?? ""}`}</dd>
          {e.description && <><dt className="text-slate-600">Description</dt><dd>{e.description}</dd></>}
          <dt className="text-slate-600">Event types</dt><dd className="font-mono text-xs [overflow-wrap:anywhere]">{e.eventTypes.join(", ")}</dd>
          <dt className="text-slate-600">Created</dt><dd>{formatDateTime(e.createdAt)}{e.createdByEmail ? ` by ${e.createdByEmail}` : ""}</dd>
        </dl>
        <div className="mt-4 flex flex-wrap gap-2">
          <ActionForm action={setEndpointEnabledAction} fields={{ endpointId: e.id, enabled: String(!e.enabled) }} label={e.enabled ? "Disable" : "Enable"} variant="secondary" testId="toggle-endpoint-form" />
          <ActionForm action={deleteEndpointAction} fields={{ endpointId: e.id }} label="Delete endpoint" variant="danger" testId="delete-endpoint-form" />
        </div>
      </Card>
      <Card title="Deliveries">
        <nav aria-label="Filter deliveries" className="mb-3 flex flex-wrap gap-3 text-sm">
          <Link href={`/admin/webhooks/${e.id}`} className={!status ? "font-semibold" : "text-brand-700 hover:underline"}>All</Link>
          {STATUSES.map((s) => <Link key={s} href={`/admin/webhooks/${e.id}?status=${s}`} className={status === s ? "font-semibold" : "text-brand-700 hover:underline"}>{statusWords[s]}</Link>)}
        </nav>
        {deliveries.length === 0 ? <p className="text-sm text-slate-600">No deliveries{status ? " with this status" : " yet"}.</p> : (
          <ul className="divide-y divide-slate-100">
            {deliveries.map((d) => (
              <li key={d.id} className="space-y-1 py-3 text-sm" data-testid="webhook-delivery">
                <div className="flex flex-col gap-1 sm:flex-row sm:items-center sm:gap-4">
                  <span className="font-medium">{d.event.type}</span>
                  <span className="break-all font-mono text-xs text-slate-600">{d.eventId}</span>
                  <span data-testid="webhook-delivery-status" className={d.status === "delivered" ? "text-green-800" : d.status === "failed" || d.attempts > 0 ? "font-medium text-red-700" : "text-slate-600"}>
                    {statusWords[d.status] ?? d.status}{d.status === "pending" && d.nextAttemptAt ? ` (next attempt ${formatDateTime(d.nextAttemptAt)})` : ""}
                  </span>
                  <ActionForm action={resendDeliveryAction} fields={{ deliveryId: d.id, endpointId: e.id }} label="Resend" variant="ghost" className="sm:ml-auto" />
                </div>
                {d.attemptLog.length > 0 && (
                  <ol className="ml-4 list-decimal text-xs text-slate-600" aria-label="Attempts">
                    {d.attemptLog.map((a) => (
                      <li key={String(a.id)} data-testid="webhook-attempt">
                        {formatDateTime(a.attemptedAt)}: {a.responseCode ? `HTTP ${a.responseCode}` : "no answer"} in {a.durationMs} ms
                        {a.error ? ` · ${a.error}` : ""}{a.nextAttemptAt ? ` · retry ${formatDateTime(a.nextAttemptAt)}` : ""}
                      </li>
                    ))}
                  </ol>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
