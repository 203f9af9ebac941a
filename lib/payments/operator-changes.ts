import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { stripe, subscriptionPrice } from "@/lib/stripe";
import { syncSubscription, type SyncResult } from "./subscription-sync";

// Changes an operator makes to a Stripe-backed subscription from the console. Each runs inside the caller's
// transaction, which has locked the workspace's Subscription row (FOR UPDATE) and named the operator for the
// plan-change trigger: the webhook this change causes syncs in a transaction of its own that waits for that
// lock, then finds the change applied (its snapshot is older, or the same). So the plan change is recorded
// once, as the operator's, not as a system change raced in by the webhook. The lock holds only this
// workspace's window openings, for one Stripe call.

/**
 * Moves the subscription to another price now, without proration: nothing is charged or credited for the
 * rest of the current period, and the next renewal bills the new price (same interval, so Stripe neither
 * resets the billing date nor invoices at once). The sync then stores the plan version that price stands for
 * and raises the current windows' quotas where the new limits are higher (lower ones wait for the next window).
 * `key` makes a retry (a second run, or one after a crash between Stripe's answer and the commit) one update.
 */
export async function moveSubscriptionPrice(
  tx: Tx,
  input: { workspaceId: string; subscriptionId: string; priceId: string; key: string; metadata: Record<string, string> },
): Promise<SyncResult> {
  const sub = await stripe().subscriptions.retrieve(input.subscriptionId);
  const item = sub.items.data[0];
  if (!item) throw new AppError("billing_unavailable", "The Stripe subscription has no item to change.");
  if (subscriptionPrice(sub)?.id !== input.priceId) {
    await stripe().subscriptions.update(
      sub.id,
      { items: [{ id: item.id, price: input.priceId }], proration_behavior: "none", metadata: input.metadata },
      { idempotencyKey: `opmove_${sub.id}_${input.priceId}_${input.key}` },
    );
  }
  return syncSubscription(tx, { subscriptionId: sub.id, workspaceId: input.workspaceId });
}

/**
 * Cancels the subscription now: Stripe ends it at once with no proration and no final invoice (the unused
 * part of the period is not refunded; an operator refunds separately if it should be), and the sync moves the
 * workspace to Free with Free's quotas from now.
 */
export async function cancelSubscriptionNow(tx: Tx, input: { workspaceId: string; subscriptionId: string; key: string }): Promise<SyncResult> {
  const sub = await stripe().subscriptions.retrieve(input.subscriptionId);
  if (sub.status !== "canceled" && sub.status !== "incomplete_expired") {
    await stripe().subscriptions.cancel(sub.id, { prorate: false, invoice_now: false }, { idempotencyKey: `opcancel_${sub.id}_${input.key}` });
  }
  return syncSubscription(tx, { subscriptionId: sub.id, workspaceId: input.workspaceId });
}
