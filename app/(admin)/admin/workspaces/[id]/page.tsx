import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionForm } from "@/components/billing/action-form";
import { AuditTable } from "@/components/admin/audit-table";
import { TermsCompare } from "@/components/admin/terms";
import { Card } from "@/components/ui/card";
import { listAudit } from "@/lib/admin/audit";
import { listOverrides } from "@/lib/admin/overrides";
import { planWithEntitlements, previewMoves } from "@/lib/admin/plan-moves";
import { planHistory } from "@/lib/admin/subscriptions";
import { workspaceDetail } from "@/lib/admin/workspaces";
import { featureTitle, groupDigits, signedUnits } from "@/lib/billing-views/format";
import { codeLabel, formatDate, formatDateTime, formatMoney, invoiceStatusLabel, ledgerKindLabel, subscriptionStatusLabel } from "@/lib/format";
import { isLifetimeEnd } from "@/lib/billing/periods";
import { db } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { billedByStripe } from "@/lib/payments";
import { requireOperatorPage } from "@/lib/server/operator";
import {
  adjustExtrasAction, cancelSubscriptionAction, endOverrideAction, endTrialAction, extendTrialAction, movePlanAction, refundPurchaseAction, setOverrideAction,
} from "./actions";

export const dynamic = "force-dynamic";

// A fresh id per render: a double submit is one request, a new one needs a new render.
const requestId = (prefix: string) => `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;

const th = "py-1.5 pr-3 text-left font-medium text-slate-600";
const td = "py-1.5 pr-3 align-top";

const LIVE = ["active", "trialing", "past_due", "degraded"];

/** The preview of moving this workspace to `planId`, or null when there is no such version. */
async function movePreview(workspaceId: string, planId: string | undefined) {
  if (!planId || !/^[A-Za-z0-9_-]{1,100}$/.test(planId)) return null;
  try {
    const to = await planWithEntitlements(db(), planId);
    const [preview] = await previewMoves(db(), [workspaceId], to);
    return preview ? { to, preview } : null;
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") return null;
    throw e;
  }
}

export default async function AdminWorkspace({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ move?: string | string[] }> }) {
  await requireOperatorPage();
  const { id } = await params;
  const { move } = await searchParams;
  const d = await workspaceDetail(db(), id);
  if (!d) notFound();
  const { workspace: w, lots, ledger, invoices, windows } = d;
  const sub = w.subscription;
  const [audit, history, overrides, versions, moving] = await Promise.all([
    listAudit(db(), { workspaceId: w.id }, 20),
    planHistory(db(), w.id, 20),
    listOverrides(db(), w.id),
    db().plan.findMany({ where: { active: true }, orderBy: [{ sortOrder: "asc" }, { version: "desc" }], select: { id: true, name: true, version: true } }),
    movePreview(id, typeof move === "string" ? move : undefined),
  ]);
  const cardlessTrial = sub?.status === "trialing" && !billedByStripe(sub);
  const paid = !!sub && billedByStripe(sub) && LIVE.includes(sub.status);
  const now = new Date();
  const features = sub ? [...sub.plan.entitlements].map((e) => e.feature).sort() : [];
  return (
    <div className="space-y-5">
      <div>
        <Link href="/admin/workspaces" className="text-sm text-brand-700 hover:underline">← Workspaces</Link>
        <h1 className="mt-1 text-2xl font-semibold text-slate-900" data-testid="admin-workspace-name">{w.name}</h1>
        <p className="text-sm text-slate-600">{w.slug} · {w.id}{w.externalId ? ` · externalId ${w.externalId}` : ""}{w.stripeCustomerId ? ` · ${w.stripeCustomerId}` : ""} · created {formatDate(w.createdAt)}</p>
      </div>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Plan">
          {sub ? (
            <ul className="space-y-1 text-sm" data-testid="admin-plan">
              <li>{sub.plan.name} (version {sub.plan.version}), billed {sub.interval === "year" ? "yearly" : "monthly"}</li>
              <li>Status: {subscriptionStatusLabel(sub.status)}{sub.pastDueSince ? ` since ${formatDate(sub.pastDueSince)}` : ""}</li>
              {sub.currentPeriodEnd && <li>Current period ends {formatDate(sub.currentPeriodEnd)}{sub.cancelAtPeriodEnd ? " (cancels then)" : ""}</li>}
              {sub.trialEndsAt && <li>Trial ends {formatDate(sub.trialEndsAt)}</li>}
              {sub.pendingPlan && <li>Changes to {sub.pendingPlan.name} on {sub.pendingChangeAt ? formatDate(sub.pendingChangeAt) : "renewal"}</li>}
              {sub.stripeSubscriptionId && <li className="text-slate-500">{sub.stripeSubscriptionId}</li>}
            </ul>
          ) : <p className="text-sm text-slate-600">No subscription.</p>}
          {cardlessTrial && (
            <div className="mt-3 flex flex-col gap-3 border-t border-slate-100 pt-3 sm:flex-row sm:items-end">
              <ActionForm action={extendTrialAction} fields={{ workspaceId: w.id, requestId: requestId("ext") }} label="Extend trial" pendingLabel="Extending…" variant="secondary" testId="extend-trial-form">
                <label className="block text-sm">Days<input name="days" inputMode="numeric" defaultValue="7" className="mt-1 block w-24 rounded-md border border-slate-300 px-2 py-1.5" /></label>
              </ActionForm>
              <ActionForm action={endTrialAction} fields={{ workspaceId: w.id }} label="End trial now" pendingLabel="Ending…" variant="danger" testId="end-trial-form" confirm={{ title: "End this trial now?", description: "The workspace moves to Free at once, with Free's quotas. Nothing is charged.", confirmLabel: "Yes, end the trial", destructive: true }} />
            </div>
          )}
          {sub && (
            <form className="mt-3 flex flex-col gap-2 border-t border-slate-100 pt-3 sm:flex-row sm:items-end" data-testid="move-plan-select">
              <label className="block text-sm">Move to version
                <select name="move" defaultValue={moving?.to.id ?? ""} className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 sm:w-56">
                  {versions.filter((v) => v.id !== sub.planId).map((v) => <option key={v.id} value={v.id}>{v.name} v{v.version}</option>)}
                </select>
              </label>
              <button type="submit" className="rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium hover:bg-slate-100">Preview move</button>
            </form>
          )}
          {paid && sub && (
            <div className="mt-3 space-y-3 border-t border-slate-100 pt-3" data-testid="cancel-subscription">
              {sub.cancelAtPeriodEnd ? (
                <ActionForm action={cancelSubscriptionAction} fields={{ workspaceId: w.id, when: "resume", requestId: requestId("cx") }} label="Undo the cancellation" pendingLabel="Undoing…" variant="secondary">
                  <p className="text-sm text-slate-600">Cancels on {sub.currentPeriodEnd ? formatDate(sub.currentPeriodEnd) : "the period end"}. Undoing it lets the subscription renew.</p>
                </ActionForm>
              ) : (
                <ActionForm action={cancelSubscriptionAction} fields={{ workspaceId: w.id, when: "period_end", requestId: requestId("cx") }} label="Cancel at period end" pendingLabel="Canceling…" variant="secondary" testId="cancel-period-end" confirm={{ title: "Cancel at the period end?", description: "The subscription ends when the current period does and the workspace moves to Free then. No refund; it can be undone until then.", confirmLabel: "Yes, cancel at period end", destructive: true }}>
                  <p className="text-sm text-slate-600">Nothing changes until {sub.currentPeriodEnd ? formatDate(sub.currentPeriodEnd) : "the period end"}; then Stripe ends the subscription and the workspace moves to Free. No refund.</p>
                </ActionForm>
              )}
              <ActionForm action={cancelSubscriptionAction} fields={{ workspaceId: w.id, when: "now", requestId: requestId("cx") }} label="Cancel now" pendingLabel="Canceling…" variant="danger" testId="cancel-now" confirm={{ title: "Cancel the subscription now?", description: "Stripe ends the subscription at once and the workspace moves to Free. Nothing is prorated or refunded. This cannot be undone.", confirmLabel: "Yes, cancel now", destructive: true }}>
                <p className="text-sm text-slate-600">Ends the subscription at once: the workspace moves to Free now and its limits drop to Free&apos;s in the open windows. Nothing is prorated or refunded (refund the last invoice in Stripe if you should); extras stay.</p>
              </ActionForm>
            </div>
          )}
        </Card>
        <Card title="Usage this period">
          {windows.length === 0 ? <p className="text-sm text-slate-600">No usage yet.</p> : (
            <ul className="space-y-1 text-sm">
              {windows.map((win) => (
                <li key={win.id} className="flex justify-between gap-3">
                  <span>{featureTitle(win.feature)}</span>
                  <span className="tabular-nums" data-testid="admin-window">
                    {groupDigits(win.used.toFixed())} of {win.quota === null ? "unlimited" : groupDigits(win.quota.toFixed())},{" "}
                    {/* A lifetime window (seats, projects) ends at a sentinel date: held until released, as the member's bar says. */}
                    {isLifetimeEnd(win.periodEnd) ? "held until released" : `resets ${formatDate(win.periodEnd)}`}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      {moving && sub && (
        <Card title={`Move to ${moving.to.name} v${moving.to.version}: preview`}>
          <div data-testid="move-preview">
            <TermsCompare before={moving.preview.before} after={moving.preview.after} />
            {moving.preview.notes.length > 0 && <ul className="mt-2 list-disc pl-5 text-sm text-slate-600">{moving.preview.notes.map((n) => <li key={n}>{n}</li>)}</ul>}
            {moving.preview.blocked ? (
              <p className="mt-2 text-sm font-medium text-red-700">Cannot move: {moving.preview.blocked}</p>
            ) : (
              <ActionForm action={movePlanAction} fields={{ workspaceId: w.id, fromPlanId: sub.planId, toPlanId: moving.to.id, requestId: requestId("mv") }} label="Move now" pendingLabel="Moving…" className="mt-3 max-w-md" testId="move-plan-form" confirm={{ title: `Move this workspace to ${moving.to.name} v${moving.to.version}?`, description: "The new terms in the preview apply at once, as listed above. The move is written to the audit log.", confirmLabel: "Yes, move now" }}>
                <label className="block text-sm">Memo<input name="memo" placeholder="Why (optional)" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" /></label>
              </ActionForm>
            )}
          </div>
        </Card>
      )}

      <Card title="Entitlement overrides">
        <p className="mb-3 text-sm text-slate-600">A custom limit for one feature until an end date, whatever the plan says. Higher limits apply to the open window at once; lower ones from the next window (seats and projects at once). The workspace sees its plan plus the override.</p>
        {overrides.length > 0 && (
          <ul className="mb-4 divide-y divide-slate-100 text-sm" data-testid="overrides">
            {overrides.map((o) => {
              const inForce = o.startsAt <= now && o.endsAt > now && (!o.endedAt || o.endedAt > now);
              return (
                <li key={o.id} className="flex flex-col gap-2 py-2 sm:flex-row sm:items-center sm:justify-between" data-testid="override-row">
                  <div>
                    <div><strong>{featureTitle(o.feature)}</strong>: {o.limit === null ? "unlimited" : groupDigits(o.limit.toFixed())} until {formatDate(o.endsAt)} {inForce ? <span className="text-green-800">(in force)</span> : <span className="text-slate-500">({o.endedAt ? `ended ${formatDate(o.endedAt)}` : "ended"})</span>}</div>
                    <div className="text-xs text-slate-500">“{o.memo}” · {o.createdByEmail} · {formatDate(o.createdAt)}</div>
                  </div>
                  {inForce && <ActionForm action={endOverrideAction} fields={{ workspaceId: w.id, overrideId: o.id }} label="End now" pendingLabel="Ending…" variant="danger" confirm={{ title: "End this override now?", description: "The plan's own limit applies again from now on.", confirmLabel: "Yes, end the override", destructive: true }} />}
                </li>
              );
            })}
          </ul>
        )}
        {sub && (
          <ActionForm action={setOverrideAction} fields={{ workspaceId: w.id, requestId: requestId("ovr") }} label="Set override" pendingLabel="Saving…" testId="override-form" className="max-w-3xl">
            <div className="grid gap-2 sm:grid-cols-[10rem_10rem_10rem_1fr]">
              <label className="text-sm">Feature
                <select name="feature" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5">{features.map((f) => <option key={f} value={f}>{f}</option>)}</select>
              </label>
              <label className="text-sm">Limit or “unlimited”<input name="limit" required placeholder="e.g. 50000" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" /></label>
              <label className="text-sm">Ends at the start of (UTC)<input name="endsOn" type="date" required className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" /></label>
              <label className="text-sm">Memo<input name="memo" required placeholder="The deal, e.g. Acme contract 2027" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" /></label>
            </div>
          </ActionForm>
        )}
      </Card>

      <Card title="Extras">
        <p className="mb-3 text-sm">Balance: <span className="font-semibold tabular-nums" data-testid="admin-extras-balance">{groupDigits(w.extrasAccount?.balance.toFixed() ?? "0")}</span> units</p>
        <ActionForm action={adjustExtrasAction} fields={{ workspaceId: w.id, requestId: requestId("adj") }} label="Adjust extras" pendingLabel="Adjusting…" testId="adjust-form" className="mb-4 max-w-xl" confirm={{ title: "Adjust this workspace's extras?", description: "The units you entered are added to (or, if negative, taken from) the balance at once, with your memo, in the ledger and the audit log. A mistake takes a second adjustment to undo.", confirmLabel: "Yes, adjust extras" }}>
          <div className="grid gap-2 sm:grid-cols-[8rem_1fr_8rem]">
            <label className="text-sm">Units (signed)<input name="units" required placeholder="250 or -40" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" /></label>
            <label className="text-sm">Memo<input name="memo" required placeholder="Why, e.g. outage credit" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" /></label>
            <label className="text-sm">Expires in days<input name="expiresInDays" inputMode="numeric" placeholder="never" className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" /></label>
          </div>
        </ActionForm>
        {lots.length === 0 ? <p className="text-sm text-slate-600">No lots.</p> : (
          <ul className="divide-y divide-slate-100">
            {lots.map((lot) => {
              const paid = lot.amountCents ?? 0;
              const refundable = lot.source === "topup" && !!lot.paymentIntentId && paid - lot.refundedCents > 0;
              return (
                <li key={lot.id} className="flex flex-col gap-2 py-2 text-sm sm:flex-row sm:items-start sm:justify-between" data-testid="admin-lot">
                  <div>
                    <div>{lot.source === "topup" ? "Purchase" : lot.source === "grant" ? "Plan grant" : "Adjustment"}: {groupDigits(lot.units.toFixed())} units, {groupDigits(lot.remaining.toFixed())} left</div>
                    <div className="text-xs text-slate-500">
                      {formatDate(lot.createdAt)}{lot.expiresAt ? `, expires ${formatDate(lot.expiresAt)}` : ""}
                      {paid > 0 && `, ${lot.source === "topup" ? "paid" : "invoice paid"} ${formatMoney(paid, lot.currency ?? "usd")}`}{lot.refundedCents > 0 && `, ${formatMoney(lot.refundedCents, lot.currency ?? "usd")} refunded`}
                    </div>
                  </div>
                  {refundable && (
                    <ActionForm action={refundPurchaseAction} fields={{ workspaceId: w.id, lotId: lot.id, refundRequestId: requestId("rf") }} label="Refund" variant="danger" pendingLabel="Refunding…" className="sm:w-72" confirm={{ title: "Refund this purchase?", description: `Stripe returns the chosen amount (in full: ${formatMoney(paid - lot.refundedCents, lot.currency ?? "usd")}) to the customer's card, and the units are taken back in proportion. A refund cannot be undone.`, confirmLabel: "Yes, refund", destructive: true }}>
                      <fieldset className="space-y-1 text-sm">
                        <legend className="sr-only">Refund amount</legend>
                        <label className="flex items-center gap-2"><input type="radio" name="mode" value="full" defaultChecked /> Full ({formatMoney(paid - lot.refundedCents, lot.currency ?? "usd")})</label>
                        <label className="flex items-center gap-2"><input type="radio" name="mode" value="partial" /> Partial: $
                          <input name="amount" inputMode="decimal" placeholder="5.00" aria-label={`Partial refund amount for lot ${lot.id}`} className="w-24 rounded-md border border-slate-300 px-2 py-1" />
                        </label>
                        <p className="text-xs text-slate-500">Units are taken back in proportion; if the refund fails they are given back.</p>
                      </fieldset>
                    </ActionForm>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </Card>

      <Card title="Recent ledger entries">
        {/* Stacked on a phone (globals.css); wider, a scrollable region that the keyboard can reach. */}
        <div className="overflow-x-auto" role="region" aria-label="Recent ledger entries" tabIndex={0}>
          <table className="table-stack w-full text-sm sm:min-w-[36rem]">
            <thead><tr><th className={th}>#</th><th className={th}>When</th><th className={th}>Kind</th><th className={th}>Units</th><th className={th}>Cause</th><th className={th}>Memo</th></tr></thead>
            <tbody>
              {ledger.map((e) => (
                <tr key={e.id} className="border-t border-slate-100"><td data-label="#" className={td}>{e.seq}</td><td data-label="When" className={td}>{formatDateTime(e.createdAt)}</td><td data-label="Kind" className={td}>{ledgerKindLabel(e.kind)}</td><td data-label="Units" className={`${td} tabular-nums`}>{signedUnits(e.units.toFixed())}</td><td data-label="Cause" className={`${td} break-all text-slate-600`}>{e.causeType} {e.causeId}</td><td data-label="Memo" className={td}>{e.memo}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Members">
          <ul className="space-y-1 text-sm">{w.memberships.map((m) => <li key={m.id} className="flex justify-between gap-3"><span className="break-all">{m.user.email}</span><span className="text-slate-600">{m.role.toLowerCase()}</span></li>)}</ul>
        </Card>
        <Card title="API keys">
          {w.apiKeys.length === 0 ? <p className="text-sm text-slate-600">No keys.</p> : (
            <ul className="space-y-1 text-sm">{w.apiKeys.map((k) => <li key={k.id} className="flex justify-between gap-3"><span>{k.name} <span className="text-slate-500">{k.prefix}…</span></span><span className="text-slate-600">{k.revokedAt ? "revoked" : k.lastUsedAt ? `used ${formatDate(k.lastUsedAt)}` : "never used"}</span></li>)}</ul>
          )}
        </Card>
        <Card title="Invoices">
          {invoices.length === 0 ? <p className="text-sm text-slate-600">No invoices.</p> : (
            <ul className="space-y-1 text-sm">{invoices.map((i) => <li key={i.id} className="flex justify-between gap-3"><span>{i.number ?? i.stripeInvoiceId} · {formatDate(i.createdAt)}</span><span className="tabular-nums">{formatMoney(i.amountDueCents, i.currency)} {invoiceStatusLabel(i.status).toLowerCase()}</span></li>)}</ul>
          )}
        </Card>
      </div>

      <Card title="Plan history">
        {history.length === 0 ? <p className="text-sm text-slate-600">The plan has not changed since the workspace was created.</p> : (
          <ul className="space-y-1 text-sm" data-testid="plan-history">
            {history.map((h) => (
              <li key={h.id} className="flex flex-col gap-x-3 sm:flex-row">
                <span className="text-slate-600 sm:w-48">{formatDateTime(h.changedAt)}</span>
                <span>{h.from} → {h.to}</span>
                <span className="text-slate-600">{codeLabel(h.reason)}{h.actorEmail ? ` by ${h.actorEmail}` : ""}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card title="Audit trail" actions={<Link href={`/admin/audit?workspace=${w.id}`} className="text-sm text-brand-700 hover:underline">All entries</Link>}>
        <AuditTable entries={audit.entries} />
      </Card>
    </div>
  );
}
