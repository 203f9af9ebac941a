import Link from "next/link";
import type { BillingAlert } from "@/lib/billing-views/alerts";
import { featureNoun, featureTitle, formatDate, formatDateTime, groupDigits } from "@/lib/billing-views/format";
import { formatMoney } from "@/lib/money";

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

interface WaysOut {
  extras?: boolean;
  upgrade?: boolean;
  payment?: boolean;
  /** Stripe's hosted invoice page, where the payment is confirmed (3-D Secure). */
  confirm?: string;
  details?: boolean;
  lots?: boolean;
}

function Ways({ slug, canManage, extras, upgrade, payment, confirm, details, lots }: { slug: string; canManage: boolean } & WaysOut) {
  if (lots) return <p className="mt-2 text-sm font-medium"><Link className="underline underline-offset-2" href={`/w/${slug}/extras`}>See the frozen purchase</Link></p>;
  if (!canManage) {
    const ask = confirm ? "confirm the payment" : details ? "update the billing address" : payment ? "update the payment method" : extras && upgrade ? "buy extras or upgrade the plan" : upgrade ? "upgrade the plan" : "buy extras";
    return <p className="mt-2 text-sm">Ask an owner or admin of this workspace to {ask}.</p>;
  }
  return (
    <p className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm font-medium">
      {confirm && <a className="underline underline-offset-2" href={confirm} rel="noopener noreferrer" data-testid="confirm-payment-link">Confirm the payment</a>}
      {details && <Link className="underline underline-offset-2" href={`/w/${slug}/plans`}>Update billing details</Link>}
      {payment && <Link className="underline underline-offset-2" href={`/w/${slug}/plans`}>Update payment method</Link>}
      {extras && <Link className="underline underline-offset-2" href={`/w/${slug}/extras`}>Buy extras</Link>}
      {upgrade && <Link className="underline underline-offset-2" href={`/w/${slug}/plans`}>Upgrade plan</Link>}
    </p>
  );
}

function describe(a: BillingAlert, usableExtras: string): { tone: Tone; title: string; body: string; ways: WaysOut } {
  switch (a.kind) {
    case "payment_action_required": {
      const amount = formatMoney(a.amountCents, a.currency);
      if (a.upgradeTo) {
        return {
          tone: "warning",
          title: `Payment needs authentication: your upgrade to ${a.upgradeTo} is waiting`,
          body: `Your bank asks you to confirm the payment of ${amount} (3-D Secure). Until it is confirmed your current plan and its limits stay as they are${a.expiresAt ? `; the upgrade is dropped if it is not confirmed by ${formatDateTime(a.expiresAt)}` : ""}.`,
          ways: { confirm: a.hostedUrl },
        };
      }
      return {
        tone: "danger",
        title: "Payment needs authentication",
        body: `Your bank asks you to confirm the payment of ${amount} for your plan (3-D Secure).${a.degradedAt ? ` Everything still works, but if it is not paid by ${formatDate(a.degradedAt)} new purchases and plan changes will be blocked.` : ""}`,
        ways: { confirm: a.hostedUrl },
      };
    }
    case "invoice_not_finalized":
      return {
        tone: "danger",
        title: "An invoice could not be issued",
        body: `Stripe could not finalise the invoice of ${formatDate(a.createdAt)}: ${a.message} Nothing was charged. Check the billing address; our support team has been told.`,
        ways: { details: true },
      };
    case "extras_frozen":
      return {
        tone: "warning",
        title: "Extras frozen by a payment dispute",
        body: `${groupDigits(a.units)} ${featureNoun("compute", a.units)} from a pack or plan grant whose payment is disputed are frozen until the dispute is settled. They come back if it is decided in your favour.`,
        ways: { lots: true },
      };
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
      // Only meters come here (gauges at their limit are said at their bar); a meter without a reset is a lifetime quota.
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
        title: a.reason ? `Payment failed: ${a.reason}` : "Payment failed",
        body: `The payment for your plan failed on ${formatDate(a.since)}${a.reason ? ` (${a.reason})` : ""}. Everything still works, but if it is not paid by ${formatDate(a.degradedAt)} new purchases and plan changes will be blocked.`,
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
