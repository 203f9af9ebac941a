import type { PrismaClient } from "@/lib/generated/prisma/client";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/db";
import { stripe, type Stripe } from "@/lib/stripe";
import { applyAutoTopUpIntentOf } from "./auto-top-up";
import { deliverNotifications } from "@/lib/billing";
import { applyCheckoutRead, readCheckoutSession } from "./checkout";
import { applyAsyncPaymentFailedRead, applyCheckoutExpired, readAsyncPaymentFailed } from "./checkout-events";
import { applyDisputeRead, readDispute } from "./disputes";
import { noticeTrialEndingOf } from "./trials";
import { applyInvoiceRead, readInvoiceEvent } from "./invoices";
import { workspaceIdFor } from "./lookup";
import { applyPaymentRefundsRead, readChargeRefunded, readRefundUpdated } from "./refunds";
import { applySubscriptionRead, readSubscription } from "./subscription-sync";
import { HANDLED_EVENT_TYPES, SUBSCRIPTION_SYNC_TYPES } from "./webhook-events";

export type EventOutcome =
  | { outcome: "processed"; handled: boolean }
  | { outcome: "duplicate" }
  | { outcome: "failed"; error: string };

const TX_OPTIONS = { maxWait: 20_000, timeout: 60_000 } as const;

// The event types applied here are the ones the webhook endpoint subscribes to (webhook-events.ts).
export { HANDLED_EVENT_TYPES };
const handled = new Set<string>(HANDLED_EVENT_TYPES);

/** From this many failed attempts on, a Stripe event's failure is logged as an error rather than a warning. */
const FAILURES_BEFORE_ERROR = 3;

/**
 * Applies one Stripe event at most once. The event id is stored first (received); its row lock then
 * serializes concurrent deliveries of the same id, so a processed event is never applied twice, and the
 * effects and the "processed" mark commit in one transaction. A failure rolls the effects back and leaves
 * the event failed with its error and attempt count, for Stripe's retry or the reconcile cron.
 * Stripe is read before that transaction opens (readEvent), never inside it: a transaction holds a pooled
 * connection, and one held while Stripe answers stalls every other request on a small pool.
 */
export async function processStripeEvent(db: PrismaClient, event: Stripe.Event, now = new Date()): Promise<EventOutcome> {
  const payload = JSON.parse(JSON.stringify(event)) as Prisma.InputJsonValue;
  await db.$executeRaw`
    INSERT INTO "StripeEvent" (id, type, status, attempts, payload, "receivedAt")
    VALUES (${event.id}, ${event.type}, 'received'::"WebhookStatus", 0, ${JSON.stringify(payload)}::jsonb, ${now})
    ON CONFLICT (id) DO NOTHING`;
  try {
    // A redelivery of a processed event is answered without asking Stripe anything (as when the reads were
    // made under the row lock); the check under that lock below stays the guarantee.
    const seen = await db.stripeEvent.findUnique({ where: { id: event.id }, select: { status: true } });
    if (seen?.status === "processed") return { outcome: "duplicate" };
    const apply = await readEvent(db, event);
    const notifications: string[] = [];
    const outcome = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ status: string }[]>`SELECT status::text AS status FROM "StripeEvent" WHERE id = ${event.id} FOR UPDATE`;
      if (rows[0]?.status === "processed") return { outcome: "duplicate" } as const;
      const applied = await apply(tx, now, notifications);
      await tx.$executeRaw`
        UPDATE "StripeEvent" SET status = 'processed'::"WebhookStatus", attempts = attempts + 1, "lastError" = NULL, "processedAt" = ${new Date()}
        WHERE id = ${event.id}`;
      return { outcome: "processed", handled: applied } as const;
    }, TX_OPTIONS);
    // Written with the effects, sent once they committed; a failed send is retried by the cron and never fails the event.
    if (notifications.length) await deliverNotifications(db, notifications).catch((e) => console.error("[payments] notifications failed:", e));
    return outcome;
  } catch (e) {
    const error = (e instanceof Error ? `${e.name === "Error" ? "" : `${e.name}: `}${e.message}` : String(e)).slice(0, 2000);
    const rows = await db.$queryRaw<{ attempts: number }[]>`
      UPDATE "StripeEvent" SET status = 'failed'::"WebhookStatus", attempts = attempts + 1, "lastError" = ${error}
      WHERE id = ${event.id} AND status <> 'processed'::"WebhookStatus" RETURNING attempts`;
    // One structured line per failure for the log drain: a first failure is a warning (Stripe and the reconcile
    // cron retry it); one that keeps failing is an error someone must look at (the console lists it).
    const attempts = rows[0]?.attempts ?? 0;
    console.error(JSON.stringify({ severity: attempts >= FAILURES_BEFORE_ERROR ? "error" : "warning", message: "stripe event failed", eventId: event.id, type: event.type, attempts, error }));
    return { outcome: "failed", error };
  }
}

const subscriptionSyncTypes = new Set<string>(SUBSCRIPTION_SYNC_TYPES);
const isSubscriptionSync = (e: Stripe.Event): e is Extract<Stripe.Event, { type: (typeof SUBSCRIPTION_SYNC_TYPES)[number] }> => subscriptionSyncTypes.has(e.type);

/** An event's effects, bound to what its read phase found: database work only, inside the event's transaction. */
type Apply = (tx: Tx, now: Date, notifications: string[]) => Promise<boolean>;
const nothing: Apply = async () => false;

/**
 * The read phase of one event, before its transaction: payloads are trusted for ids only, so state is re-read
 * from Stripe here (and any Stripe write an effect needs, such as cancelling a duplicate subscription, is made
 * here with its idempotency key), and the returned apply phase writes what was read. A subscription checkout's
 * completion takes its place in the order of completions here too (committed, so that a concurrent sync of the
 * workspace sees it at once).
 */
async function readEvent(db: PrismaClient, event: Stripe.Event): Promise<Apply> {
  if (!handled.has(event.type)) return nothing;
  if (isSubscriptionSync(event)) {
    const sub = event.data.object;
    const workspaceId = await workspaceIdFor(db, sub);
    // No workspace for the subscription: nothing to apply.
    if (!workspaceId) return nothing;
    const read = await readSubscription(db, { subscriptionId: sub.id, workspaceId });
    return async (tx, now) => {
      await applySubscriptionRead(tx, read, now);
      return true;
    };
  }
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const read = await readCheckoutSession(db, await stripe().checkout.sessions.retrieve(event.data.object.id));
      return async (tx, now, notifications) => {
        const applied = await applyCheckoutRead(tx, read, now);
        if (applied.kind === "extras") notifications.push(...(applied.notifications ?? []));
        return true;
      };
    }
    case "checkout.session.async_payment_failed": {
      const read = await readAsyncPaymentFailed(await stripe().checkout.sessions.retrieve(event.data.object.id));
      return async (tx, now, notifications) => {
        notifications.push(...(await applyAsyncPaymentFailedRead(tx, read, now)).notifications);
        return true;
      };
    }
    case "checkout.session.expired": {
      const session = await stripe().checkout.sessions.retrieve(event.data.object.id);
      return (tx, now) => applyCheckoutExpired(tx, session, now);
    }
    case "customer.subscription.trial_will_end": {
      const sub = await stripe().subscriptions.retrieve(event.data.object.id);
      return async (tx, now, notifications) => {
        notifications.push(...(await noticeTrialEndingOf(tx, sub, now)).notifications);
        return true;
      };
    }
    case "invoice.created":
    case "invoice.finalized":
    case "invoice.finalization_failed":
    case "invoice.updated":
    case "invoice.paid":
    case "invoice.payment_succeeded":
    case "invoice.payment_failed":
    case "invoice.payment_action_required":
    case "invoice.voided":
    case "invoice.marked_uncollectible": {
      const id = event.data.object.id;
      if (!id) return nothing;
      const read = await readInvoiceEvent(db, event.type, id);
      return async (tx, now, notifications) => {
        notifications.push(...(await applyInvoiceRead(tx, read, now)).notifications);
        return true;
      };
    }
    case "charge.dispute.created":
    case "charge.dispute.updated":
    case "charge.dispute.closed": {
      const read = await readDispute(event.data.object.id);
      return (tx, now) => applyDisputeRead(tx, read, now);
    }
    case "charge.refunded": {
      const read = await readChargeRefunded(event.data.object.id);
      return async (tx) => {
        await applyPaymentRefundsRead(tx, read);
        return true;
      };
    }
    case "refund.updated":
    case "refund.failed": {
      const read = await readRefundUpdated(db, event.data.object.id);
      return async (tx) => {
        await applyPaymentRefundsRead(tx, read);
        return true;
      };
    }
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed": {
      const type = event.type;
      const pi = await stripe().paymentIntents.retrieve(event.data.object.id);
      return (tx, now, notifications) => applyAutoTopUpIntentOf(tx, type, pi, now, notifications);
    }
    default:
      return nothing;
  }
}
