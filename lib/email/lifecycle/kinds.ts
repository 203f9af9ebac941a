// The lifecycle emails a workspace's owners and admins receive, and the facts each is rendered from. Pure
// (no React, no templates), so the code that records a cause can write its notification cheaply: the email is
// rendered when it is sent (lib/email/lifecycle/render.tsx), from the Notification row's kind and data.

/** Money as Stripe has it: integer cents and a currency. */
export interface Amount {
  cents: number;
  currency: string;
}

export interface LifecycleData {
  /** Quota thresholds (80%, 100%) crossed; a burst within the cooldown is sent as one email. */
  threshold: { items: { subject: string; body: string }[] };
  payment_failed: { invoice: string; amount: Amount; reason: string | null; hostedUrl: string | null };
  payment_action_required: { invoice: string; amount: Amount; hostedUrl: string; planChange: boolean };
  degraded: { since: string; unpaidAfterDays: number };
  moved_to_free: { since: string };
  /** `subscribed`: a trial of a Stripe subscription (a card can be added in the portal); otherwise the app's own trial. */
  trial_will_end: { planName: string; endsAt: string; hasCard: boolean; subscribed?: boolean };
  trial_ended: { planName: string; endedAt: string };
  pack_receipt: { packName: string; units: string; amount: Amount; paidAt: string; reference: string };
  auto_top_up_succeeded: { packName: string; units: string; amount: Amount; paidAt: string };
  auto_top_up_failed: { packName: string; error: string | null };
}

export type LifecycleKind = keyof LifecycleData;

export const LIFECYCLE_KINDS = [
  "threshold", "payment_failed", "payment_action_required", "degraded", "moved_to_free", "trial_will_end", "trial_ended",
  "pack_receipt", "auto_top_up_succeeded", "auto_top_up_failed",
] as const satisfies readonly LifecycleKind[];

export const isLifecycleKind = (kind: string): kind is LifecycleKind => (LIFECYCLE_KINDS as readonly string[]).includes(kind);

const dateFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" });
export const formatDate = (iso: string) => dateFormat.format(new Date(iso));

/** "$9", "$9.50", "€12": no ".00" on whole amounts. */
export function formatAmount(a: Amount): string {
  const whole = a.cents % 100 === 0;
  return new Intl.NumberFormat("en-US", { style: "currency", currency: a.currency.toUpperCase(), minimumFractionDigits: whole ? 0 : 2 }).format(a.cents / 100);
}

/** Each email's subject, also stored on its Notification row (what the operator console and the logs show). */
export function lifecycleSubject<K extends LifecycleKind>(kind: K, data: LifecycleData[K], workspaceName: string): string {
  const d = data as LifecycleData[LifecycleKind];
  switch (kind) {
    case "threshold": {
      const items = (d as LifecycleData["threshold"]).items;
      return items.length === 1 ? items[0]!.subject : `${workspaceName}: ${items.length} usage alerts`;
    }
    case "payment_failed": return `${workspaceName}: your payment of ${formatAmount((d as LifecycleData["payment_failed"]).amount)} failed`;
    case "payment_action_required": return `${workspaceName}: confirm your payment of ${formatAmount((d as LifecycleData["payment_action_required"]).amount)}`;
    case "degraded": return `${workspaceName}: your payment is overdue, purchases are paused`;
    case "moved_to_free": return `${workspaceName} moved to the Free plan`;
    case "trial_will_end": {
      const t = d as LifecycleData["trial_will_end"];
      return `${workspaceName}: your ${t.planName} trial ends on ${formatDate(t.endsAt)}`;
    }
    case "trial_ended": return `${workspaceName}: your ${(d as LifecycleData["trial_ended"]).planName} trial has ended`;
    case "pack_receipt": return `Receipt: ${(d as LifecycleData["pack_receipt"]).packName} for ${workspaceName}`;
    case "auto_top_up_succeeded": return `${workspaceName}: auto top-up added ${(d as LifecycleData["auto_top_up_succeeded"]).packName}`;
    case "auto_top_up_failed": return `${workspaceName}: auto top-up failed`;
  }
  return workspaceName;
}
