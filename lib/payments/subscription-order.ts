import { idOf, isStripeError, stripe, type Stripe } from "@/lib/stripe";
import type { Client } from "./db";

/**
 * One live subscription per workspace. Of the workspace's live subscriptions, the one whose checkout completed
 * last is kept, every other one is cancelled at once (no proration credit) and its latest paid invoice
 * refunded. "Last" is Stripe's creation time of the subscription (its checkout's completion), whenever Tally
 * learns of it (a completion missed while the webhook was down and recovered later still ranks as it came);
 * within one second, the order Tally first applied them in (a database sequence).
 *
 * Stripe itself records which cancellations are Tally's (cancellation_details.comment, written by the
 * cancelling call), so a refund still owed is found again after a failure at any point: the database rows
 * here only spare reading subscriptions that are settled.
 */

const LIVE = new Set<Stripe.Subscription.Status>(["active", "trialing", "past_due", "unpaid"]);
const FINAL = new Set<Stripe.Subscription.Status>(["canceled", "incomplete_expired"]);
const DUPLICATE = "Duplicate subscription of the workspace, replaced by ";

export const isLive = (sub: Stripe.Subscription) => LIVE.has(sub.status);
const cancelledAsDuplicate = (sub: Stripe.Subscription) => sub.status === "canceled" && !!sub.cancellation_details?.comment?.startsWith(DUPLICATE);

/**
 * Records that a subscription checkout completed, once: the first application gives it its place in the
 * order. Call it committed before the subscription's sync (the webhook does so before the event's
 * transaction), so that every sync that starts after it sees it.
 */
export async function recordCheckoutCompletion(db: Client, input: { workspaceId: string; checkoutSessionId: string; subscriptionId: string }): Promise<void> {
  await db.subscriptionCheckout.createMany({
    data: [{ workspaceId: input.workspaceId, checkoutSessionId: input.checkoutSessionId, stripeSubscriptionId: input.subscriptionId }],
    skipDuplicates: true,
  });
}

export type Retrieve = (id: string) => Promise<Stripe.Subscription>;

/** What was learnt of the workspace's ranked subscriptions, to be written once Stripe is no longer called. */
export type SettledNote = { subscriptionId: string; supersededBy?: string };

/**
 * The workspace's kept subscription among those whose checkout completion Tally has applied: the live one
 * completed last. Others still live are cancelled and refunded here, and duplicates cancelled earlier whose
 * refund is not done yet are refunded (Stripe calls: the caller holds no lock). `kept` is null when none is
 * live. A subscription still incomplete is neither kept nor cancelled: it is decided once its payment is.
 * Deciding on a view that misses a later completion is safe: a live subscription below a live one is a
 * duplicate whatever comes above them.
 */
export async function keepLastCompleted(db: Client, workspaceId: string, retrieve: Retrieve): Promise<{ kept: Stripe.Subscription | null; notes: SettledNote[] }> {
  const applied = await db.subscriptionCheckout.findMany({ where: { workspaceId, endedAt: null }, orderBy: { seq: "desc" } });
  const read: Stripe.Subscription[] = [];
  for (const r of applied) read.push(await retrieve(r.stripeSubscriptionId));
  // Created last first; a stable sort keeps the later-applied first within one second.
  const ranked = [...read].sort((a, b) => b.created - a.created);
  let kept: Stripe.Subscription | null = null;
  const duplicates: Stripe.Subscription[] = [];
  const notes: SettledNote[] = [];
  for (const sub of ranked) {
    if (cancelledAsDuplicate(sub)) duplicates.push(sub);
    // Ended for good (by the customer, or never paid): nothing to keep or cancel, and no need to read it again.
    else if (FINAL.has(sub.status)) notes.push({ subscriptionId: sub.id });
    else if (isLive(sub)) {
      if (!kept) kept = sub;
      else duplicates.push(sub);
    }
  }
  for (const sub of duplicates) {
    const keptId = kept?.id ?? sub.cancellation_details?.comment?.slice(DUPLICATE.length) ?? "";
    await cancelDuplicate(workspaceId, sub, keptId);
    notes.push({ subscriptionId: sub.id, supersededBy: keptId });
  }
  return { kept, notes };
}

/** Writes what keepLastCompleted learnt, so settled subscriptions are not read again. */
export async function writeNotes(db: Client, notes: SettledNote[], now: Date): Promise<void> {
  for (const n of notes) {
    await db.subscriptionCheckout.updateMany({ where: { stripeSubscriptionId: n.subscriptionId, endedAt: null }, data: { endedAt: now, supersededBy: n.supersededBy ?? null } });
  }
}

/** Cancels a duplicate subscription now, without a proration credit, and refunds its latest paid invoice; each once. */
async function cancelDuplicate(workspaceId: string, sub: Stripe.Subscription, keptId: string): Promise<void> {
  if (sub.status !== "canceled") {
    try {
      await stripe().subscriptions.cancel(
        sub.id,
        { prorate: false, invoice_now: false, cancellation_details: { comment: `${DUPLICATE}${keptId}` } },
        { idempotencyKey: `cancel_duplicate_${sub.id}` },
      );
    } catch (e) {
      if (!isStripeError(e)) throw e;
      const now = await stripe().subscriptions.retrieve(sub.id);
      if (now.status !== "canceled") throw e;
      // Cancelled meanwhile: by a concurrent sync (go on to the refund), or by the customer (nothing to refund).
      if (!cancelledAsDuplicate(now)) return;
    }
  }
  const paymentIntentId = await latestPaidPayment(sub.id);
  if (!paymentIntentId) return;
  const refunds = await stripe().refunds.list({ payment_intent: paymentIntentId, limit: 100 });
  if (refunds.data.some((r) => r.metadata?.duplicateSubscriptionId === sub.id && r.status !== "failed" && r.status !== "canceled")) return;
  try {
    await stripe().refunds.create(
      { payment_intent: paymentIntentId, reason: "duplicate", metadata: { workspaceId, duplicateSubscriptionId: sub.id, keptSubscriptionId: keptId } },
      { idempotencyKey: `refund_duplicate_${sub.id}` },
    );
  } catch (e) {
    if (!isStripeError(e) || e.code !== "charge_already_refunded") throw e;
  }
}

/** The payment of the subscription's newest paid invoice with something paid, if any (a trial's invoice has none). */
async function latestPaidPayment(subscriptionId: string): Promise<string | null> {
  const invoices = await stripe().invoices.list({ subscription: subscriptionId, status: "paid", limit: 10, expand: ["data.payments"] });
  for (const invoice of invoices.data) {
    if (invoice.amount_paid <= 0) continue;
    const payment = invoice.payments?.data.find((p) => p.status === "paid" && p.payment.type === "payment_intent");
    const id = idOf(payment?.payment.payment_intent ?? null);
    if (id) return id;
  }
  return null;
}
