import { cookies } from "next/headers";
import { CheckoutReturn, confirmCheckout } from "@/components/billing/checkout-return";
import { FirstRunChecklist } from "@/components/billing/first-run-checklist";
import { AlertList } from "@/components/billing/alert-list";
import { ExtrasSummary } from "@/components/billing/extras-summary";
import { PlanSummary } from "@/components/billing/plan-summary";
import { UsageBar } from "@/components/billing/usage-bar";
import { db } from "@/lib/db";
import { billingAlerts } from "@/lib/billing-views/alerts";
import { firstEventCommand, firstRunDone, firstRunState } from "@/lib/billing-views/first-run";
import { billingOverview } from "@/lib/billing-views/overview";
import { env } from "@/lib/env";
import { requireWorkspacePage } from "@/lib/server/session";
import { can } from "@/lib/workspaces/access";
import { createApiKeyAction } from "../api-keys/actions";
import { dismissFirstRunAction } from "./actions";
import { firstRunDismissedCookie } from "./first-run-cookie";

export const metadata = { title: "Billing" };

export default async function BillingPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ checkout?: string; session_id?: string }> }) {
  const { slug } = await params;
  const { checkout, session_id: sessionId } = await searchParams;
  const { workspace, role } = await requireWorkspacePage(slug);
  const now = new Date();
  // Sync a returning checkout first, so the overview below already shows the plan or extras just bought.
  const checkoutResult = checkout === "success" && sessionId ? await confirmCheckout(workspace.id, sessionId) : null;
  const canManage = can(role, "billing");
  const [overview, firstRun, jar] = await Promise.all([billingOverview(db(), workspace.id, now), canManage ? firstRunState(db(), workspace.id) : null, cookies()]);
  // Owners and admins of a workspace that has not metered its first event yet, unless they put the checklist away.
  const showFirstRun = firstRun !== null && !firstRunDone(firstRun) && !jar.has(firstRunDismissedCookie(workspace.id));
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">{workspace.name}</h1>
        <p className="text-sm text-slate-600">Billing overview</p>
      </div>
      {checkoutResult && sessionId && <CheckoutReturn sessionId={sessionId} result={checkoutResult} />}
      {/* What needs doing now (a payment to confirm, a quota used up) comes before getting started. */}
      <AlertList alerts={billingAlerts(overview)} slug={slug} canManage={canManage} usableExtras={overview.extras.usable} />
      {showFirstRun && (
        <FirstRunChecklist slug={slug} state={firstRun} command={firstEventCommand(env().APP_URL, "$TALLY_API_KEY")} createKey={createApiKeyAction} dismiss={dismissFirstRunAction} />
      )}
      <div className="grid gap-4 md:grid-cols-2">
        <PlanSummary overview={overview} slug={slug} canManage={canManage} now={now} />
        <ExtrasSummary extras={overview.extras} slug={slug} canManage={canManage} />
      </div>
      <section aria-labelledby="usage-heading" className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h2 id="usage-heading" className="text-base font-semibold">Usage this period</h2>
        {overview.features.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">This plan has no metered features.</p>
        ) : (
          <ul className="mt-4 grid gap-x-8 gap-y-6 sm:grid-cols-2">
            {overview.features.map((f) => (
              <li key={f.feature}>
                <UsageBar feature={f.feature} kind={f.kind} used={f.used} limit={f.limit} resetsAt={f.resetsAt} measure={f.measure} fromExtras={f.fromExtras} upgradeHref={canManage ? `/w/${slug}/plans` : null} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
