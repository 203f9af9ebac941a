import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionForm } from "@/components/billing/action-form";
import { Card } from "@/components/ui/card";
import { stripeEventDetail } from "@/lib/admin/stripe-events";
import { formatDateTime } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { replayStripeEventAction } from "../../actions";
import { processingStatusLabel } from "@/lib/format";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

export default async function StripeEventPage({ params }: { params: Promise<{ id: string }> }) {
  await requireOperatorPage();
  const { id } = await params;
  const e = await stripeEventDetail(db(), id);
  if (!e) notFound();
  return (
    <div className="space-y-4">
      <Link href="/admin/stripe-events" className="text-sm text-brand-700 hover:underline">← Stripe events</Link>
      <h1 className="break-all text-2xl font-semibold text-slate-900">{e.type}</h1>
      <Card>
        <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-600">Event</dt><dd className="break-all">{e.id}</dd>
          <dt className="text-slate-600">Status</dt><dd data-testid="stripe-event-status">{processingStatusLabel(e.status)}</dd>
          <dt className="text-slate-600">Attempts</dt><dd>{e.attempts}</dd>
          <dt className="text-slate-600">Received</dt><dd>{formatDateTime(e.receivedAt)}</dd>
          {e.processedAt && <><dt className="text-slate-600">Processed</dt><dd>{formatDateTime(e.processedAt)}</dd></>}
          {e.lastError && <><dt className="text-slate-600">Last error</dt><dd className="break-all text-red-700">{e.lastError}</dd></>}
        </dl>
        <ActionForm action={replayStripeEventAction} fields={{ eventId: e.id }} label="Replay" pendingLabel="Replaying…" variant="secondary" className="mt-4" testId="replay-form" />
      </Card>
      <Card title="Payload">
        <pre className="max-h-[32rem] overflow-auto rounded bg-slate-50 p-3 text-xs">{JSON.stringify(e.payload, null, 2)}</pre>
      </Card>
    </div>
  );
}
