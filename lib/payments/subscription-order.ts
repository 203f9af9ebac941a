import { db as rootDb } from "@/lib/db";
import { idOf, isStripeError, stripe, type Stripe } from "@/lib/stripe";
import type { Client } from "./db";

/**
 * One live subscription per workspace. Tally numbers each completed subscription checkout the first time
 * it applies it (a database sequence, so two completions in the same second still have an order); of the
 * workspace's live subscriptions, the one whose checkout completed last is kept, every other one is
 * cancelled at once (no proration credit) and its latest paid invoice refunded.
 *
 * These writes use the app's own client, never the caller's transaction: the order must be visible to a
 * concurrent sync at once, and the intent to cancel must outlive a rolled-back event, or a subscription
 * cancelled at Stripe could no longer be told from one the customer cancelled, and its refund be lost.
 */

const LIVE = new Set<Stripe.Subscription.Status>(["active", "trialing", "past_due", "unpaid"]);
const FINAL = new Set<Stripe.Subscription.Status>(["canceled", "incomplete_expired"]);

export const isLive = (sub: Stripe.Subscription) => LIVE.has(sub.status);

/** Records that a subscription checkout completed, once: the first application gives it its place in the order. */
export async function recordCheckoutCompletion(input: { workspaceId: string; checkoutSessionId: string; subscriptionId: string }): Promise<void> {
  await rootDb().subscriptionCheckout.createMany({
    data: [{ workspaceId: input.workspaceId, checkoutSessionId: input.checkoutSessionId, stripeSubscriptionId: input.subscriptionId }],
    skipDuplicates: true,
  });
}

export type Retrieve = (id: string) => Promise<Stripe.Subscription>;

/**
 * The workspace's kept subscription among those whose checkout completion Tally has applied: the live one
 * completed last. Subscriptions below it that are still live, or cancelled as duplicates but not yet
 * refunded, are settled here (Stripe calls: the caller holds no lock). Returns null when none is live.
 * A subscription still incomplete is neither kept nor cancelled yet: it is decided once its payment is.
 */
export async function keepLastCompleted(db: Client, workspaceId: string, retrieve: Retrieve): Promise<Stripe.Subscription | null> {
  const ranked = await db.subscriptionCheckout.findMany({ where: { workspaceId, endedAt: null, refundedAt: null }, orderBy: { seq: "desc" } });
  let kept: Stripe.Subscription | null = null;
  const losers: { sub: Stripe.Subscription; superseded: boolean }[] = [];
  for (const r of ranked) {
    const sub = await retrieve(r.stripeSubscriptionId);
    if (r.supersededBy) {
      losers.push({ sub, superseded: true });
      continue;
    }
    if (FINAL.has(sub.status)) {
      // Ended for good (by the customer, or never paid): nothing to keep or cancel, and no need to read it again.
      await rootDb().subscriptionCheckout.update({ where: { seq: r.seq }, data: { endedAt: new Date() } });
      continue;
    }
    if (!isLive(sub)) continue;
    if (!kept) kept = sub;
    else losers.push({ sub, superseded: false });
  }
  for (const l of losers) await cancelDuplicate(workspaceId, l.sub, kept?.id ?? null, l.superseded);
  return kept;
}

/** Cancels a duplicate subscription now, without a proration credit, and refunds its latest paid invoice; each once. */
async function cancelDuplicate(workspaceId: string, sub: Stripe.Subscription, keptId: string | null, alreadyMarked: boolean): Promise<void> {
  if (!alreadyMarked) {
    if (!keptId) return;
    await rootDb().subscriptionCheckout.update({ where: { stripeSubscriptionId: sub.id }, data: { supersededBy: keptId } });
  }
  if (!FINAL.has(sub.status)) {
    try {
      await stripe().subscriptions.cancel(sub.id, { prorate: false, invoice_now: false }, { idempotencyKey: `cancel_duplicate_${sub.id}` });
    } catch (e) {
      // Cancelled meanwhile (by a concurrent sync whose key has expired, or by the customer): nothing left to cancel.
      if (!isStripeError(e) || (await stripe().subscriptions.retrieve(sub.id)).status !== "canceled") throw e;
    }
  }
  const paymentIntentId = await latestPaidPayment(sub.id);
  if (paymentIntentId) {
    try {
      await stripe().refunds.create(
        { payment_intent: paymentIntentId, reason: "duplicate", metadata: { workspaceId, subscriptionId: sub.id, keptSubscriptionId: keptId ?? "" } },
        { idempotencyKey: `refund_duplicate_${sub.id}` },
      );
    } catch (e) {
      if (!isStripeError(e) || e.code !== "charge_already_refunded") throw e;
    }
  }
  await rootDb().subscriptionCheckout.update({ where: { stripeSubscriptionId: sub.id }, data: { refundedAt: new Date() } });
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
