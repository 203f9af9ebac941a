import Link from "next/link";
import { ActionForm } from "@/components/billing/action-form";
import { PlanCard } from "@/components/billing/plan-card";
import { Card } from "@/components/ui/card";
import { db } from "@/lib/db";
import { formatDate as day, formatMoney } from "@/lib/format";
import { billedByStripe, isUpgrade, previewUpgrades, purchaseBlockReason, type UpgradePreview } from "@/lib/payments";
import { requireWorkspacePage } from "@/lib/server/session";
import { can } from "@/lib/workspaces/access";
import {
  cancelAtPeriodEndAction, cancelScheduledChangeAction, openPortalAction, scheduleDowngradeAction, startCheckoutAction, startTrialAction, upgradeNowAction,
} from "./actions";

export const metadata = { title: "Plans" };

const LIVE = ["active", "trialing", "past_due", "degraded"];

export default async function PlansPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ interval?: string; checkout?: string }> }) {
  const { slug } = await params;
  const query = await searchParams;
  const { workspace, role } = await requireWorkspacePage(slug);
  const canBill = can(role, "billing");
  const [sub, plans] = await Promise.all([
    db().subscription.findUniqueOrThrow({ where: { workspaceId: workspace.id }, include: { plan: { include: { entitlements: true } }, pendingPlan: true } }),
    db().plan.findMany({ where: { active: true }, orderBy: [{ sortOrder: "asc" }, { version: "desc" }], include: { entitlements: true } }),
  ]);
  const interval = query.interval === "year" ? "year" : query.interval === "month" ? "month" : sub.interval;
  // The newest version of each plan; a workspace kept on an older version of its plan (grandfathered) sees its own
  // version's price and quotas on its plan's card for its interval, not the newer terms it does not have.
  const newest = plans.filter((p, i) => plans.findIndex((q) => q.key === p.key) === i);
  const ownTerms = (p: (typeof plans)[number]) => p.key === sub.plan.key && p.id !== sub.planId && (interval === sub.interval || sub.plan.monthlyPriceCents === 0);
  const latest = newest.map((p) => (ownTerms(p) ? sub.plan : p));
  // A trial of the app's own (no card): its plan is subscribed to through Checkout like any other, to keep it after the trial.
  const localTrial = sub.status === "trialing" && !billedByStripe(sub);
  const paidLive = billedByStripe(sub) && LIVE.includes(sub.status);
  const blocked = purchaseBlockReason(sub.status);
  const periodEnd = sub.currentPeriodEnd ? day(sub.currentPeriodEnd) : "the end of the period";
  const requestKey = () => `pl_${crypto.randomUUID().replaceAll("-", "")}`;
  const upgradeable = (plan: (typeof latest)[number]) =>
    paidLive && !blocked && canBill && (interval === "year" ? plan.annualPriceCents : plan.monthlyPriceCents) > 0
    && isUpgrade({ sortOrder: sub.plan.sortOrder, interval: sub.interval }, { sortOrder: plan.sortOrder, interval });
  // Stripe's own invoice preview says what each upgrade charges today, before anyone confirms it.
  const previews = await previewUpgrades(db(), workspace.id, latest.filter(upgradeable).map((p) => ({ planKey: p.key, interval })));
  const previewOf = (key: string): UpgradePreview | undefined => previews.find((p) => p.planKey === key);

  function action(plan: (typeof latest)[number]) {
    const price = interval === "year" ? plan.annualPriceCents : plan.monthlyPriceCents;
    const isCurrent = plan.key === sub.plan.key && (price === 0 || interval === sub.interval) && sub.status !== "unpaid";
    const current = <p className="text-sm font-medium text-brand-700">This is your current plan{sub.status === "trialing" && sub.trialEndsAt ? ` (trial until ${day(sub.trialEndsAt)})` : ""}.</p>;
    if (isCurrent && !(localTrial && canBill && !blocked && price > 0)) return current;
    if (!canBill) return null;
    if (price === 0) {
      if (!paidLive) return null;
      return sub.cancelAtPeriodEnd
        ? <p className="text-sm text-slate-700">Your subscription already ends on {periodEnd}; the workspace moves to Free then.</p>
        : (
          <div className="space-y-2">
            <p className="text-sm text-slate-700">Your paid plan stays until {periodEnd}, then the workspace moves to Free. Nothing is refunded.</p>
            <ActionForm
              action={cancelAtPeriodEndAction}
              fields={{ slug, cancel: "true" }}
              label="Cancel at period end"
              variant="secondary"
              confirm={{
                title: "Cancel your subscription?",
                description: `You keep ${sub.plan.name} and its quotas until ${periodEnd}; then the workspace moves to Free. Nothing is refunded. You can keep the subscription any time before then.`,
                confirmLabel: "Yes, cancel at period end",
                destructive: true,
              }}
            />
          </div>
        );
    }
    if (blocked) return <p className="text-sm text-amber-900">{blocked}</p>;
    if (paidLive) {
      if (sub.pendingPlanId === plan.id && sub.pendingInterval === interval) return <p className="text-sm text-slate-700">Scheduled to start on {sub.pendingChangeAt ? day(sub.pendingChangeAt) : periodEnd}.</p>;
      if (isUpgrade({ sortOrder: sub.plan.sortOrder, interval: sub.interval }, { sortOrder: plan.sortOrder, interval })) {
        const preview = previewOf(plan.key);
        const dueToday = preview ? formatMoney(preview.amountDueCents, preview.currency) : null;
        const taxNote = preview && preview.taxCents > 0 ? `, including ${formatMoney(preview.taxCents, preview.currency)} tax` : "";
        return (
          <div className="space-y-2">
            {preview && (
              <p data-testid={`upgrade-preview-${plan.key}`} data-amount-cents={preview.amountDueCents} className="rounded-md bg-brand-50 px-3 py-2 text-sm text-slate-800">
                <span className="block text-xs font-medium uppercase tracking-wide text-brand-700">Due today</span>
                <span className="text-lg font-semibold tabular-nums">{dueToday}</span>
                <span className="text-slate-600"> prorated for the rest of this period{taxNote}</span>
              </p>
            )}
            <p className="text-sm text-slate-700">Applies now: {preview ? `you pay ${dueToday} today` : "you pay the prorated difference for the rest of this period today"}, and {plan.name}&apos;s quotas apply at once. If your bank asks you to confirm the payment, they apply once it is confirmed.</p>
            <ActionForm
              action={upgradeNowAction}
              fields={{ slug, plan: plan.key, interval, requestKey: requestKey(), ...(preview ? { prorationDate: String(preview.prorationDate) } : {}) }}
              label={`Upgrade to ${plan.name} now`}
              pendingLabel="Upgrading…"
              confirm={{
                title: `Upgrade to ${plan.name} now?`,
                description: `${preview ? `Your card on file is charged ${dueToday} today${taxNote}: the prorated difference` : "Your card on file is charged today for the prorated difference"} between ${sub.plan.name} and ${plan.name} for the rest of this period; after that, ${formatMoney(price, plan.currency)} every ${interval}. ${plan.name}'s quotas apply at once.`,
                confirmLabel: "Yes, upgrade and pay now",
              }}
            />
          </div>
        );
      }
      return (
        <div className="space-y-2">
          <p className="text-sm text-slate-700">Takes effect on {periodEnd}, at renewal. You keep {sub.plan.name} and its quotas until then, and can cancel the change before it happens.</p>
          <ActionForm
            action={scheduleDowngradeAction}
            fields={{ slug, plan: plan.key, interval }}
            label={`Switch to ${plan.name} at renewal`}
            variant="secondary"
            confirm={{
              title: `Switch to ${plan.name} at renewal?`,
              description: `On ${periodEnd} the workspace moves to ${plan.name} (${formatMoney(price, plan.currency)} every ${interval}) and its lower quotas. Until then you keep ${sub.plan.name}. You can cancel the change before it happens.`,
              confirmLabel: `Yes, switch to ${plan.name}`,
            }}
          />
        </div>
      );
    }
    const canTrial = plan.trialDays > 0 && sub.status === "free" && !sub.trialEndsAt;
    return (
      <div className="space-y-3">
        {isCurrent && current}
        <p className="text-sm text-slate-700">
          {sub.status === "trialing" ? `Subscribe now to keep ${plan.name} after your trial; you are charged when the trial ends.` : `Pay ${formatMoney(price, plan.currency)} now through Stripe Checkout; ${plan.name} and its quotas apply as soon as the payment clears, and renew every ${interval}.`}
        </p>
        <ActionForm action={startCheckoutAction} fields={{ slug, plan: plan.key, interval, requestKey: requestKey() }} label={`Choose ${plan.name}`} pendingLabel="Opening checkout…" testId={`checkout-${plan.key}`} />
        {canTrial && (
          <>
            <p className="text-sm text-slate-700">Or try {plan.name} free for {plan.trialDays} days with no card; it ends by itself and the workspace returns to Free unless you subscribe. One free trial per verified email address.</p>
            <ActionForm action={startTrialAction} fields={{ slug, plan: plan.key }} label={`Start ${plan.trialDays}-day trial`} variant="secondary" />
          </>
        )}
      </div>
    );
  }

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">Plans</h1>
        <nav aria-label="Billing interval" className="inline-flex rounded-md border border-slate-300 bg-white p-0.5 text-sm">
          {(["month", "year"] as const).map((i) => (
            <Link key={i} href={`/w/${slug}/plans?interval=${i}`} aria-current={interval === i ? "page" : undefined}
              className={`rounded px-3 py-1.5 ${interval === i ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-100"}`}>
              {i === "month" ? "Monthly" : "Annual (2 months free)"}
            </Link>
          ))}
        </nav>
      </div>
      {query.checkout === "canceled" && <p role="status" className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-800">Checkout was cancelled; nothing was charged.</p>}
      {blocked && <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">{blocked}</p>}
      {!canBill && <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">You can see the plans; only owners and admins can change them.</p>}

      <Card title="Your subscription">
        <p className="text-sm text-slate-800" data-testid="subscription-summary">
          <strong>{sub.plan.name}</strong>{paidLive ? `, billed every ${sub.interval}` : ""} — {statusSentence(sub.status, sub.trialEndsAt, sub.cancelAtPeriodEnd, periodEnd)}
        </p>
        {sub.pendingPlan && (
          <div className="mt-3 flex flex-col gap-2 rounded-md bg-slate-50 p-3 sm:flex-row sm:items-center sm:justify-between" data-testid="pending-change">
            <p className="text-sm">Scheduled: moves to <strong>{sub.pendingPlan.name}</strong> ({sub.pendingInterval === "year" ? "annual" : "monthly"}) on {sub.pendingChangeAt ? day(sub.pendingChangeAt) : periodEnd}. Until then you keep {sub.plan.name}.</p>
            {canBill && <ActionForm action={cancelScheduledChangeAction} fields={{ slug }} label="Cancel scheduled change" variant="secondary" />}
          </div>
        )}
        {canBill && (
          <div className="mt-3 flex flex-wrap gap-3">
            {paidLive && sub.cancelAtPeriodEnd && <ActionForm action={cancelAtPeriodEndAction} fields={{ slug, cancel: "false" }} label="Keep my subscription" variant="secondary" />}
            <ActionForm action={openPortalAction} fields={{ slug }} label="Open billing portal" variant="ghost" pendingLabel="Opening portal…" />
          </div>
        )}
      </Card>

      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {latest.map((plan) => (
          <PlanCard
            key={plan.id}
            name={plan.name}
            description={plan.description}
            priceCents={interval === "year" ? plan.annualPriceCents : plan.monthlyPriceCents}
            interval={interval}
            currency={plan.currency}
            entitlements={plan.entitlements.map((e) => ({ feature: e.feature, limit: e.limit?.toString() ?? null, period: e.period }))}
            grantUnits={plan.grantUnits.toString()}
            trialDays={plan.trialDays}
            current={plan.key === sub.plan.key}
            badge={plan.key === sub.plan.key ? "Current" : sub.pendingPlanId === plan.id ? "Scheduled" : null}
          >
            {action(plan)}
          </PlanCard>
        ))}
      </div>
    </div>
  );
}

function statusSentence(status: string, trialEndsAt: Date | null, cancelAtPeriodEnd: boolean, periodEnd: string): string {
  switch (status) {
    case "trialing":
      return `on a free trial until ${trialEndsAt ? day(trialEndsAt) : periodEnd}.`;
    case "active":
      return cancelAtPeriodEnd ? `active until ${periodEnd}, then Free.` : `active; renews on ${periodEnd}.`;
    case "past_due":
      return "a payment failed. Update your card in the billing portal; Stripe retries automatically.";
    case "degraded":
      return "payments have failed for more than 7 days. Your quota still works, but purchases are paused.";
    case "unpaid":
      return "moved to Free after 14 days of failed payments. Pay the open invoice to restore your plan.";
    default:
      return "free forever; upgrade any time.";
  }
}
