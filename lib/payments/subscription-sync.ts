import { onPlanChanged, resetWindowsForPeriod } from "@/lib/billing";
import type { SubscriptionStatus } from "@/lib/generated/prisma/enums";
import type { Tx } from "@/lib/db";
import { idOf, stripe, subscriptionPeriod, subscriptionPrice, type Stripe } from "@/lib/stripe";
import { withTransaction, type Client } from "./db";
import { freePlanId, lockSubscriptionRow, planForPrice, STRIPE_ENDED_STATUSES, workspaceIdFor } from "./lookup";
import { isLive, keepLastCompleted, writeNotes, type Retrieve } from "./subscription-order";

export interface SyncResult {
  workspaceId: string | null;
  applied: boolean;
  status?: SubscriptionStatus;
  planId?: string;
  reason?: string;
  periodReset?: boolean;
  planChanged?: boolean;
}

const ENDED = new Set(["canceled", "incomplete_expired"]);
const DUNNING = new Set<SubscriptionStatus>(["past_due", "degraded", "unpaid"]);

/**
 * Convergent sync: reads the workspace's subscriptions from Stripe, then writes under the workspace's row
 * lock what Stripe says, so events may arrive in any order or any number of times and the result is the same.
 * Effects: a new current_period_start resets the windows (not the first period of a trial carried over from
 * a local trial); a plan change raises current quotas at once; an ended subscription moves the workspace to
 * Free; a second live subscription is cancelled and refunded (subscription-order.ts). Dunning only
 * escalates here (the dunning cron moves past_due on to degraded and unpaid); an active subscription clears it.
 *
 * Every Stripe call happens before the row lock is taken, so usage of the workspace (which opens windows
 * under a share lock of the same row) never waits on Stripe. A webhook runs the read phase before its
 * event's transaction (readSubscription, then applySubscriptionRead inside it), so it holds no pooled
 * connection while Stripe answers either: on a small pool that would stall every other request.
 *
 * Older snapshots never overwrite newer ones: each sync draws a ticket from a database sequence before it
 * reads anything, and the row keeps the ticket of the snapshot applied last; a sync whose ticket is lower
 * started reading earlier and is refused (its snapshot may be older; applying it could undo a newer one).
 * Refusing loses nothing: every change at Stripe is followed by an event whose sync draws its ticket after
 * the change, so after every ticket whose reads may have missed it, and that sync applies unless one with a
 * still later ticket (which read the change too) already did. Reading the order of completed checkouts
 * after the ticket also means a completion recorded before a sync's ticket is seen by that sync.
 */
export async function syncSubscription(
  db: Client,
  input: { subscriptionId: string; workspaceId?: string | null; now?: Date },
): Promise<SyncResult> {
  return applySubscriptionRead(db, await readSubscription(db, input), input.now);
}

/** What the read phase of a sync found at Stripe, for its apply phase. */
export type SubscriptionRead =
  | { workspaceId: null; reason: string }
  | {
      workspaceId: string;
      ticket: bigint;
      target: { sub: Stripe.Subscription | null; reason?: string };
      notes: Awaited<ReturnType<typeof keepLastCompleted>>["notes"];
      nextPrice: ScheduledPrice | null;
      awaitingPrice: ScheduledPrice | null;
    };

/**
 * The read phase of a sync: Stripe calls and plain reads, no lock and no transaction needed. A webhook runs it
 * before opening its event's transaction, so no pooled connection is held while Stripe answers.
 */
export async function readSubscription(db: Client, input: { subscriptionId: string; workspaceId?: string | null }): Promise<SubscriptionRead> {
  let workspaceId = input.workspaceId ?? null;
  if (!workspaceId) {
    const peek = await stripe().subscriptions.retrieve(input.subscriptionId);
    workspaceId = await workspaceIdFor(db, peek);
    if (!workspaceId) return { workspaceId: null, reason: "no workspace for this subscription" };
  }
  const ws = workspaceId;
  const ticket = await drawTicket(db);
  const read = new Map<string, Promise<Stripe.Subscription>>();
  const retrieve = (id: string) => {
    let p = read.get(id);
    if (!p) read.set(id, (p = stripe().subscriptions.retrieve(id, { expand: ["latest_invoice", "schedule"] })));
    return p;
  };
  const sub = await retrieve(input.subscriptionId);
  const { kept, notes } = await keepLastCompleted(db, ws, retrieve);
  const target = await chooseSnapshot(db, ws, sub, kept, retrieve);
  const nextPrice = target.sub ? await scheduledPrice(target.sub) : null;
  const awaitingPrice = target.sub ? await pendingUpdatePrice(target.sub) : null;
  return { workspaceId: ws, ticket, target, notes, nextPrice, awaitingPrice };
}

/** The apply phase of a sync: database work only (row locks from here on), in a new transaction or the caller's. */
export async function applySubscriptionRead(db: Client, r: SubscriptionRead, now = new Date()): Promise<SyncResult> {
  if (r.workspaceId === null) return { workspaceId: null, applied: false, reason: r.reason };
  const ws = r.workspaceId;
  if (!r.target.sub && r.notes.length === 0) return { workspaceId: ws, applied: false, reason: r.target.reason };
  return withTransaction(db, async (tx) => {
    await writeNotes(tx, r.notes, new Date());
    if (!r.target.sub) return { workspaceId: ws, applied: false, reason: r.target.reason };
    const row = await lockSubscriptionRow(tx, ws);
    if (row.stripeSyncTicket !== null && row.stripeSyncTicket > r.ticket) return { workspaceId: ws, applied: false, reason: "a newer snapshot is applied" };
    return applySubscription(tx, row, r.target.sub, { nextPrice: r.nextPrice, awaitingPrice: r.awaitingPrice }, r.ticket, now);
  });
}

async function drawTicket(db: Client): Promise<bigint> {
  const rows = await db.$queryRaw<{ t: bigint }[]>`SELECT nextval('"SubscriptionSyncTicket"') AS t`;
  return BigInt(rows[0]!.t);
}

/**
 * Which subscription's state the workspace should show. The kept one of those whose checkout Tally applied
 * (the live one completed last) wins. Otherwise the synced subscription applies unless the workspace shows
 * another one that is still live: a subscription whose checkout completion has not been applied yet never
 * displaces a live one (it is decided once its completion is), and an ended one never displaces another.
 */
async function chooseSnapshot(
  db: Client,
  workspaceId: string,
  sub: Stripe.Subscription,
  kept: Stripe.Subscription | null,
  retrieve: Retrieve,
): Promise<{ sub: Stripe.Subscription | null; reason?: string }> {
  if (kept) return { sub: kept };
  const row = await db.subscription.findUnique({ where: { workspaceId }, select: { stripeSubscriptionId: true } });
  const current = row?.stripeSubscriptionId ?? null;
  if (!current || current === sub.id) return { sub };
  if (!isLive(sub)) return { sub: null, reason: "an older subscription" };
  if (isLive(await retrieve(current))) return { sub: null, reason: "another subscription is current" };
  return { sub };
}

type Row = Awaited<ReturnType<typeof lockSubscriptionRow>>;

async function applySubscription(tx: Tx, row: Row, sub: Stripe.Subscription, prices: { nextPrice: ScheduledPrice | null; awaitingPrice: ScheduledPrice | null }, ticket: bigint, now: Date): Promise<SyncResult> {
  const workspaceId = row.workspaceId;
  const ended = ENDED.has(sub.status) || sub.status === "paused";

  if (ended) {
    // This ended subscription is already applied: re-reading it (the reconcile cron re-syncs every row) changes
    // nothing, so a trial started since, or an operator's move to another Free version, stays as it is.
    if (row.stripeSubscriptionId === sub.id && STRIPE_ENDED_STATUSES.includes(row.stripeStatus ?? "")) return { workspaceId, applied: false, reason: "already ended" };
    const freeId = await freePlanId(tx);
    const planChanged = row.planId !== freeId;
    await tx.subscription.update({
      where: { workspaceId },
      data: {
        planId: freeId, status: "free", interval: "month", stripeSubscriptionId: sub.id, stripeStatus: sub.status,
        currentPeriodStart: null, currentPeriodEnd: null, periodAnchor: null, cancelAtPeriodEnd: false,
        pendingPlanId: null, pendingInterval: null, pendingChangeAt: null, stripeScheduleId: null, pastDueSince: null, stripeSyncedAt: now,
        pendingUpdatePlanId: null, pendingUpdateExpiresAt: null,
        stripeSyncTicket: ticket,
      },
    });
    if (planChanged) await onPlanChanged(tx, { workspaceId, now, lowerQuotas: true });
    return { workspaceId, applied: true, status: "free", planId: freeId, planChanged };
  }

  if (sub.status === "incomplete") {
    // The first payment has not gone through: nothing is bought yet.
    return { workspaceId, applied: false, reason: "incomplete" };
  }

  const price = subscriptionPrice(sub);
  const period = subscriptionPeriod(sub);
  if (!price || !period) return { workspaceId, applied: false, reason: "no item" };
  const target = await planForPrice(tx, price);

  let status: SubscriptionStatus;
  let pastDueSince: Date | null = null;
  if (sub.status === "trialing") status = "trialing";
  else if (sub.status === "active") status = "active";
  else {
    // past_due or unpaid at Stripe: keep how far dunning has gone; the clock starts at the failed invoice.
    status = DUNNING.has(row.status) ? row.status : "past_due";
    pastDueSince = row.pastDueSince ?? failedSince(sub) ?? now;
  }
  // Once dunning moved the workspace to Free, it stays there until a payment clears it.
  const planId = status === "unpaid" ? await freePlanId(tx) : target.planId;

  const pending = await pendingChange(tx, prices.nextPrice);
  const awaiting = await pendingChange(tx, prices.awaitingPrice);
  const planChanged = row.planId !== planId;
  const periodChanged = row.currentPeriodStart?.getTime() !== period.start.getTime();
  // A trial at Stripe is always a local trial carried over by a checkout during it (checkout sets trial_end
  // only then): its period is the same trial going on, so its windows and their counts go on too. The reset
  // comes with the first paid period.
  const continuedTrial = sub.status === "trialing" && row.trialEndsAt !== null;
  const newPeriod = periodChanged && !continuedTrial;

  await tx.subscription.update({
    where: { workspaceId },
    data: {
      planId,
      status,
      interval: target.interval,
      stripeSubscriptionId: sub.id,
      stripeStatus: sub.status,
      periodAnchor: new Date(sub.billing_cycle_anchor * 1000),
      currentPeriodEnd: period.end,
      currentPeriodStart: period.start,
      trialEndsAt: sub.status === "trialing" && sub.trial_end ? new Date(sub.trial_end * 1000) : row.trialEndsAt,
      cancelAtPeriodEnd: sub.cancel_at_period_end || sub.cancel_at !== null,
      pendingPlanId: pending?.planId ?? null,
      pendingInterval: pending?.interval ?? null,
      pendingChangeAt: pending?.at ?? null,
      stripeScheduleId: idOf(sub.schedule),
      pendingUpdatePlanId: awaiting?.planId ?? null,
      pendingUpdateExpiresAt: awaiting?.at ?? null,
      pastDueSince,
      stripeSyncedAt: now,
      stripeSyncTicket: ticket,
    },
  });
  if (newPeriod) await resetWindowsForPeriod(tx, { workspaceId, periodStart: period.start, periodEnd: period.end, now });
  if (planChanged || newPeriod) await onPlanChanged(tx, { workspaceId, now, lowerQuotas: status === "unpaid" });
  return { workspaceId, applied: true, status, planId, planChanged, periodReset: newPeriod };
}

/**
 * A change Stripe holds until its invoice is paid (payment_behavior=pending_if_incomplete: an upgrade whose
 * payment was declined or waits for 3-D Secure): the price it would move to, and when Stripe drops it
 * (`at`). The subscription's own items, and so the plan and quotas, stay as they are until it is paid.
 */
async function pendingUpdatePrice(sub: Stripe.Subscription): Promise<ScheduledPrice | null> {
  const update = sub.pending_update;
  const price = update?.subscription_items?.[0]?.price;
  if (!update || !price) return null;
  return { price: typeof price === "string" ? await stripe().prices.retrieve(price) : price, at: new Date(update.expires_at * 1000) };
}

/** When the unpaid invoice was first attempted (test-clock time included), if Stripe shows one. */
function failedSince(sub: Stripe.Subscription): Date | null {
  const invoice = sub.latest_invoice;
  if (!invoice || typeof invoice === "string" || invoice.status !== "open") return null;
  const at = invoice.status_transitions?.finalized_at ?? invoice.created;
  return new Date(at * 1000);
}

interface ScheduledPrice {
  price: Stripe.Price;
  at: Date;
}

/** The price a later phase of the subscription's schedule moves to (a downgrade booked for the period end), read from Stripe. */
async function scheduledPrice(sub: Stripe.Subscription): Promise<ScheduledPrice | null> {
  const schedule = sub.schedule;
  const period = subscriptionPeriod(sub);
  if (!period || !schedule || typeof schedule === "string" || schedule.status !== "active") return null;
  const current = subscriptionPrice(sub);
  const next = schedule.phases.find((p) => p.start_date * 1000 >= period.end.getTime());
  const nextPriceId = idOf(next?.items[0]?.price ?? null);
  if (!next || !nextPriceId || nextPriceId === current?.id) return null;
  return { price: await stripe().prices.retrieve(nextPriceId), at: new Date(next.start_date * 1000) };
}

/** The plan a booked change moves to. */
async function pendingChange(tx: Tx, next: ScheduledPrice | null): Promise<{ planId: string; interval: "month" | "year"; at: Date } | null> {
  if (!next) return null;
  const plan = await planForPrice(tx, next.price);
  return { ...plan, at: next.at };
}
