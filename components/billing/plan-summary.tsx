import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import type { BillingOverview } from "@/lib/billing-views/overview";
import { daysUntil, featureTitle, formatDate, groupDigits } from "@/lib/billing-views/format";
import { StatusBadge } from "./status-badge";

const every = { month: "monthly", year: "annually" } as const;

/** The plan, its status, and what happens next, each as a sentence. */
export function PlanSummary({ overview: o, slug, canManage, now }: { overview: BillingOverview; slug: string; canManage: boolean; now: Date }) {
  const trialDays = o.trialEndsAt ? daysUntil(o.trialEndsAt, now) : null;
  return (
    <section aria-labelledby="plan-heading" className="flex flex-col rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id="plan-heading" className="text-sm font-medium text-slate-600">Plan</h2>
      <p className="mt-1 flex flex-wrap items-center gap-2 text-2xl font-semibold">
        <span data-testid="plan-name">{o.plan.name}</span>
        {/* On Free the plan name already says it all. */}
        {o.status !== "free" && <StatusBadge status={o.status} />}
      </p>
      <ul className="mt-3 flex-1 space-y-2 text-sm text-slate-700">
        {o.status === "free" && <li>Free forever, with the limits below. Paid plans raise them.</li>}
        {o.status === "trialing" && trialDays !== null && o.trialEndsAt && (
          <li data-testid="trial-notice">
            <strong>Trial: {trialDays} {trialDays === 1 ? "day" : "days"} left.</strong> It ends on {formatDate(o.trialEndsAt)}; without a paid checkout by then the
            workspace moves to the Free plan.
          </li>
        )}
        {o.status !== "free" && o.status !== "trialing" && !o.cancelAtPeriodEnd && o.currentPeriodEnd && (
          <li>Billed {every[o.interval]}; the next renewal is on {formatDate(o.currentPeriodEnd)}.</li>
        )}
        {o.pendingChange && (
          <li data-testid="pending-change">
            <strong>Scheduled change:</strong> moves to {o.pendingChange.planName}
            {o.pendingChange.interval ? ` (billed ${every[o.pendingChange.interval]})` : ""}
            {o.pendingChange.at ? ` on ${formatDate(o.pendingChange.at)}` : " at the end of the period"}. Until then you keep {o.plan.name}&apos;s limits.
          </li>
        )}
        {o.overrides.length > 0 && (
          <li data-testid="plan-overrides">
            <strong>Plus your agreement:</strong>{" "}
            {o.overrides.map((x, i) => (
              <span key={x.feature}>
                {i > 0 && "; "}
                {featureTitle(x.feature)} {x.limit === null ? "unlimited" : groupDigits(x.limit)} instead of {o.plan.name}&apos;s limit, until {formatDate(x.endsAt)}
              </span>
            ))}
            .
          </li>
        )}
        {o.cancelAtPeriodEnd && (
          <li data-testid="cancel-notice">
            <strong>Canceled:</strong> {o.plan.name} stays until {o.currentPeriodEnd ? formatDate(o.currentPeriodEnd) : "the end of the period"}, then the workspace
            moves to the Free plan.
          </li>
        )}
      </ul>
      {canManage && (
        <div className="mt-4 flex flex-wrap gap-2">
          <Link href={`/w/${slug}/plans`} className={buttonClass("primary")}>{o.status === "free" ? "Upgrade" : "Change plan"}</Link>
          <Link href={`/w/${slug}/extras`} className={buttonClass("secondary")}>Buy extras</Link>
        </div>
      )}
    </section>
  );
}
