import Link from "next/link";
import { Card } from "@/components/ui/card";
import { ActionForm } from "@/components/billing/action-form";
import { openAlerts } from "@/lib/admin/alerts";
import { consoleOverview } from "@/lib/admin/overview";
import { formatDateTime } from "@/lib/billing-views/format";
import { resolveAlertAction } from "./actions";
import { groupDigits } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { formatMoney } from "@/lib/money";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

const STATUS_WORDS: [status: string, label: string][] = [
  ["trialing", "In a trial"],
  ["active", "Paying"],
  ["past_due", "Payment failed (past due)"],
  ["degraded", "Degraded (unpaid 7+ days)"],
  ["unpaid", "Moved to Free for non-payment"],
  ["free", "On Free"],
];

function Figure({ label, value, testId, href }: { label: string; value: string; testId: string; href?: string }) {
  // dt and dd stay direct children of the group (a link around them would break the list for screen readers).
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900" data-testid={testId}>
        {href ? <Link href={href} className="hover:underline">{value}</Link> : value}
      </dd>
    </div>
  );
}

export default async function AdminOverview() {
  await requireOperatorPage();
  const [o, alerts] = await Promise.all([consoleOverview(db()), openAlerts(db())]);
  const mrr = o.mrrCents.length ? o.mrrCents.map((m) => formatMoney(m.cents, m.currency)).join(" + ") : formatMoney(0);
  const trouble = (o.byStatus.past_due ?? 0) + (o.byStatus.degraded ?? 0) + (o.byStatus.unpaid ?? 0);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold text-slate-900">Overview</h1>
      <dl className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Figure label="Monthly recurring revenue" value={mrr} testId="overview-mrr" />
        <Figure label="Trials" value={String(o.byStatus.trialing ?? 0)} testId="overview-trials" />
        <Figure label="Payment trouble" value={String(trouble)} testId="overview-trouble" />
        <Figure label="Failed Stripe events" value={String(o.failedStripeEvents)} testId="overview-failed-events" href="/admin/stripe-events?status=failed" />
        <Figure label="Outgoing deliveries failing" value={String(o.failingWebhookDeliveries)} testId="overview-failing-webhooks" href="/admin/webhooks" />
      </dl>
      {alerts.length > 0 && (
        <Card title={`Needs attention (${alerts.length})`}>
          <ul className="divide-y divide-slate-100" data-testid="operator-alerts">
            {alerts.map((a) => (
              <li key={a.id} className="flex flex-col gap-2 py-2 text-sm sm:flex-row sm:items-start sm:justify-between">
                <div>
                  <p>{a.message}</p>
                  <p className="text-xs text-slate-500">{formatDateTime(a.createdAt)}{a.workspaceId && <> · <Link href={`/admin/workspaces/${a.workspaceId}`} className="text-brand-700 hover:underline">workspace</Link></>}</p>
                </div>
                <ActionForm action={resolveAlertAction} fields={{ alertId: a.id }} label="Dealt with" variant="secondary" pendingLabel="Saving…" />
              </li>
            ))}
          </ul>
        </Card>
      )}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Subscriptions by plan">
          <table className="w-full text-sm">
            <thead><tr className="text-left text-slate-600"><th className="py-1 font-medium">Plan</th><th className="py-1 text-right font-medium">Workspaces</th></tr></thead>
            <tbody>
              {o.plans.map((p) => (
                <tr key={p.planKey} className="border-t border-slate-100"><td className="py-1.5">{p.planName}</td><td className="py-1.5 text-right tabular-nums">{p.subscriptions}</td></tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card title="Billing states">
          <ul className="space-y-1 text-sm">
            {STATUS_WORDS.map(([s, label]) => (
              <li key={s} className="flex justify-between border-t border-slate-100 py-1.5 first:border-0"><span>{label}</span><span className="tabular-nums" data-testid={`status-${s}`}>{o.byStatus[s] ?? 0}</span></li>
            ))}
          </ul>
        </Card>
        <Card title="Extras">
          <ul className="space-y-1 text-sm">
            <li className="flex justify-between"><span>Sold</span><span className="tabular-nums">{groupDigits(o.extras.soldUnits)} units for {formatMoney(o.extras.soldCents)}</span></li>
            <li className="flex justify-between"><span>Refunded</span><span className="tabular-nums">{formatMoney(o.extras.refundedCents)} (net {formatMoney(o.extras.soldCents - o.extras.refundedCents)})</span></li>
            <li className="flex justify-between"><span>Used</span><span className="tabular-nums">{groupDigits(o.extras.usedUnits)} units</span></li>
          </ul>
        </Card>
        <Card title="Books" actions={<Link href="/admin/invariants" className="text-sm text-brand-700 hover:underline">Details</Link>}>
          <p className="text-sm" data-testid="overview-invariants">
            {o.invariantViolations.critical + o.invariantViolations.warning === 0
              ? "The last invariant check found nothing wrong."
              : `${o.invariantViolations.critical} critical and ${o.invariantViolations.warning} warning violations are open.`}
          </p>
        </Card>
      </div>
    </div>
  );
}
