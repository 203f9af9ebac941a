import Link from "next/link";
import type { BillingAlert } from "@/lib/billing-views/alerts";
import { featureNoun, featureTitle, formatDate, formatDateTime, groupDigits } from "@/lib/billing-views/format";

interface Props {
  alerts: BillingAlert[];
  slug: string;
  /** Owners and admins get the ways out as links; members are told whom to ask. */
  canManage: boolean;
  usableExtras: string;
}

type Tone = "danger" | "warning";

const toneClass: Record<Tone, string> = {
  danger: "border-red-300 bg-red-50 text-red-900",
  warning: "border-amber-300 bg-amber-50 text-amber-950",
};

const toneWord: Record<Tone, string> = { danger: "Action needed", warning: "Heads up" };

function Ways({ slug, canManage, extras, upgrade, payment }: { slug: string; canManage: boolean; extras?: boolean; upgrade?: boolean; payment?: boolean }) {
  if (!canManage) return <p className="mt-2 text-sm">Ask an owner or admin of this workspace to {payment ? "update the payment method" : extras && upgrade ? "buy extras or upgrade the plan" : upgrade ? "upgrade the plan" : "buy extras"}.</p>;
  return (
    <p className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm font-medium">
      {payment && <Link className="underline underline-offset-2" href={`/w/${slug}/plans`}>Update payment method</Link>}
      {extras && <Link className="underline underline-offset-2" href={`/w/${slug}/extras`}>Buy extras</Link>}
      {upgrade && <Link className="underline underline-offset-2" href={`/w/${slug}/plans`}>Upgrade plan</Link>}
    </p>
  );
}

function describe(a: BillingAlert, usableExtras: string): { tone: Tone; title: string; body: string; ways: { extras?: boolean; upgrade?: boolean; payment?: boolean } } {
  switch (a.kind) {
    case "quota_full": {
      const name = featureTitle(a.feature);
      const reset = a.resetsAt ? ` It resets ${formatDateTime(a.resetsAt)}.` : "";
      if (a.overflow === "extras") {
        const hasExtras = !/^-|^0$/.test(usableExtras);
        return {
          tone: hasExtras ? "warning" : "danger",
          title: `${name}: 100% of this period's quota used`,
          body: hasExtras
            ? `New ${featureNoun(a.feature)} are now paid from your extras (${groupDigits(usableExtras)} left); when they run out, requests are refused.${reset}`
            : `New ${featureNoun(a.feature)} are refused until the quota resets or you add extras.${reset}`,
          ways: { extras: true, upgrade: true },
        };
      }
      if (a.overflow === "soft") {
        return { tone: "warning", title: `${name}: 100% of the limit reached`, body: `Usage is still accepted past the limit, but your plan does not include it.${reset}`, ways: { upgrade: true } };
      }
      return { tone: "danger", title: `${name}: limit reached`, body: `New ${featureNoun(a.feature)} are refused until ${a.resetsAt ? "the limit resets or " : ""}you upgrade.${reset}`, ways: { upgrade: true } };
    }
    case "quota_near":
      return {
        tone: "warning",
        title: `${featureTitle(a.feature)}: ${a.percent}% used`,
        body: `You have passed 80% of this period's ${featureNoun(a.feature)}.${a.resetsAt ? ` It resets ${formatDateTime(a.resetsAt)}.` : ""}`,
        ways: { extras: a.feature === "compute", upgrade: true },
      };
    case "past_due":
      return {
        tone: "warning",
        title: "Payment failed",
        body: `The payment for your plan failed on ${formatDate(a.since)}. Everything still works, but if it is not paid by ${formatDate(a.degradedAt)} new purchases and plan changes will be blocked.`,
        ways: { payment: true },
      };
    case "degraded":
      return {
        tone: "danger",
        title: "Purchases are blocked until the overdue payment is made",
        body: `Your plan's payment has been overdue since ${formatDate(a.since)}. You can use your current quota, but you cannot buy extras or check out a plan. If it is still unpaid on ${formatDate(a.unpaidAt)}, the workspace moves to the Free plan.`,
        ways: { payment: true },
      };
    case "unpaid":
      return { tone: "danger", title: "Moved to Free after 14 days unpaid", body: "The overdue payment was not made, so this workspace now has the Free plan's limits. Paying the invoice or choosing a plan again restores them.", ways: { payment: true, upgrade: true } };
    case "extras_negative":
      return { tone: "danger", title: "Extras balance is negative", body: `A refund took back units that were already spent, leaving ${groupDigits(a.balance)}. Extras cover nothing until the balance is positive again.`, ways: { extras: true } };
  }
}

/** Billing alerts, each stated in words with its way out. */
export function AlertList({ alerts, slug, canManage, usableExtras }: Props) {
  if (!alerts.length) return null;
  return (
    <section aria-labelledby="alerts-heading" className="space-y-3">
      <h2 id="alerts-heading" className="sr-only">Alerts</h2>
      <ul className="space-y-3">
        {alerts.map((a, i) => {
          const d = describe(a, usableExtras);
          const key = "feature" in a ? `${a.kind}-${a.feature}` : `${a.kind}-${i}`;
          return (
            <li key={key} data-testid={`alert-${key}`} className={`rounded-lg border-l-4 border p-4 ${toneClass[d.tone]}`}>
              <p className="text-sm font-semibold">
                <span className="mr-2 rounded bg-white/70 px-1.5 py-0.5 text-xs uppercase tracking-wide">{toneWord[d.tone]}</span>
                {d.title}
              </p>
              <p className="mt-1 text-sm">{d.body}</p>
              <Ways slug={slug} canManage={canManage} {...d.ways} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
