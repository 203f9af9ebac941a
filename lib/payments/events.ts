import type { PrismaClient } from "@/lib/generated/prisma/client";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/db";
import { stripe, type Stripe } from "@/lib/stripe";
import { applyAutoTopUpIntent } from "./auto-top-up";
import { deliverNotifications } from "@/lib/billing";
import { applyAsyncPaymentFailed, applyCheckoutExpired, applyCheckoutSession, recordSubscriptionCompletion } from "./checkout";
import { applyDisputeEvent } from "./disputes";
import { noticeTrialEnding } from "./trials";
import { applyInvoiceEvent } from "./invoices";
import { workspaceIdFor } from "./lookup";
import { applyChargeRefunded, applyRefundUpdated } from "./refunds";
import { applySubscriptionRead, readSubscription, type SubscriptionRead } from "./subscription-sync";
import { HANDLED_EVENT_TYPES } from "./webhook-events";

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
 */
export async function processStripeEvent(db: PrismaClient, event: Stripe.Event, now = new Date()): Promise<EventOutcome> {
  const payload = JSON.parse(JSON.stringify(event)) as Prisma.InputJsonValue;
  await db.$executeRaw`
    INSERT INTO "StripeEvent" (id, type, status, attempts, payload, "receivedAt")
    VALUES (${event.id}, ${event.type}, 'received'::"WebhookStatus", 0, ${JSON.stringify(payload)}::jsonb, ${now})
    ON CONFLICT (id) DO NOTHING`;
  try {
    const prepared = await beforeEffects(db, event);
    const notifications: string[] = [];
    const outcome = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ status: string }[]>`SELECT status::text AS status FROM "StripeEvent" WHERE id = ${event.id} FOR UPDATE`;
      if (rows[0]?.status === "processed") return { outcome: "duplicate" } as const;
      const applied = await applyEvent(tx, event, now, prepared, notifications);
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

// The subscription events whose effect is a sync of the subscription: read before the transaction, applied in it.
const SUBSCRIPTION_SYNC_TYPES = [
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "customer.subscription.paused",
  "customer.subscription.resumed",
  "customer.subscription.pending_update_applied",
  "customer.subscription.pending_update_expired",
] as const;
const subscriptionSyncTypes = new Set<string>(SUBSCRIPTION_SYNC_TYPES);
const isSubscriptionSync = (e: Stripe.Event): e is Extract<Stripe.Event, { type: (typeof SUBSCRIPTION_SYNC_TYPES)[number] }> => subscriptionSyncTypes.has(e.type);

interface Prepared {
  session?: Stripe.Checkout.Session;
  subscription?: SubscriptionRead;
}

/**
 * What happens before an event's transaction: a subscription checkout's completion takes its place in the
 * order of completions here (committed, so that a concurrent sync of the workspace sees it at once), and a
 * subscription event's Stripe reads are made here, so the transaction never holds a connection while Stripe answers.
 */
async function beforeEffects(db: PrismaClient, event: Stripe.Event): Promise<Prepared> {
  if (isSubscriptionSync(event)) {
    const sub = event.data.object;
    const workspaceId = await workspaceIdFor(db, sub);
    return workspaceId ? { subscription: await readSubscription(db, { subscriptionId: sub.id, workspaceId }) } : {};
  }
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const session = await stripe().checkout.sessions.retrieve(event.data.object.id);
      await recordSubscriptionCompletion(db, session);
      return { session };
    }
    default:
      return {};
  }
}

/** The effects of one event, inside the caller's transaction. Payloads are trusted for ids only: state is re-read from Stripe. */
async function applyEvent(tx: Tx, event: Stripe.Event, now: Date, prepared: Prepared, notifications: string[]): Promise<boolean> {
  if (!handled.has(event.type)) return false;
  if (isSubscriptionSync(event)) {
    // Read before the transaction (beforeEffects); no workspace for the subscription: nothing to apply.
    if (!prepared.subscription) return false;
    await applySubscriptionRead(tx, prepared.subscription, now);
    return true;
  }
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const session = prepared.session ?? (await stripe().checkout.sessions.retrieve(event.data.object.id));
      const applied = await applyCheckoutSession(tx, session, now);
      if (applied.kind === "extras") notifications.push(...(applied.notifications ?? []));
      return true;
    }
    case "checkout.session.async_payment_failed": {
      const session = await stripe().checkout.sessions.retrieve(event.data.object.id);
      notifications.push(...(await applyAsyncPaymentFailed(tx, session, now)).notifications);
      return true;
    }
    case "checkout.session.expired":
      return applyCheckoutExpired(tx, await stripe().checkout.sessions.retrieve(event.data.object.id), now);
    case "customer.subscription.trial_will_end":
      notifications.push(...(await noticeTrialEnding(tx, event.data.object.id, now)).notifications);
      return true;
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
      if (!id) return false;
      notifications.push(...(await applyInvoiceEvent(tx, event.type, id, now)).notifications);
      return true;
    }
    case "charge.dispute.created":
    case "charge.dispute.updated":
    case "charge.dispute.closed":
      return applyDisputeEvent(tx, event.data.object.id, now);
    case "charge.refunded":
      await applyChargeRefunded(tx, event.data.object.id);
      return true;
    case "refund.updated":
    case "refund.failed":
      await applyRefundUpdated(tx, event.data.object.id);
      return true;
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed":
      return applyAutoTopUpIntent(tx, event.type, event.data.object.id, now, notifications);
    default:
      return false;
  }
}
