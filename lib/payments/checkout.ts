import { currentPlanVersion, topupExtras } from "@/lib/billing";
import { AppError } from "@/lib/errors";
import { idOf, isStripeError, stripe, type Stripe } from "@/lib/stripe";
import { env } from "@/lib/env";
import type { Tx } from "@/lib/db";
import { withTransaction, type Client } from "./db";
import { recordPackReceipt, sendIfCommitted } from "./extras-notices";
import { ensureStripeCustomer } from "./customers";
import { assertPurchasesAllowed } from "./guards";
import { billedByStripe } from "./lookup";
import { automaticTaxEnabled, checkoutTaxParams } from "./automatic-tax";
import { recordCheckoutCompletion } from "./subscription-order";
import { applySubscriptionRead, readSubscription, type SubscriptionRead } from "./subscription-sync";
import { requestKeyOf } from "./request-key";

/** Where Checkout returns the customer instead of the billing pages (the Platform API; checked by the caller). */
export interface ReturnUrls {
  success: string;
  cancel: string;
}

const LIVE = new Set(["active", "trialing", "past_due", "degraded", "unpaid"]);
const STRIPE_TRIAL_MIN_MS = 48 * 3600_000;

/**
 * Starts Stripe Checkout for a plan (subscription mode). A double click yields one session: the
 * idempotency key is the workspace, plan, interval and the form's token. A local trial carries over as
 * Stripe's trial_end, so paying during a trial does not charge before it ends.
 */
export async function startPlanCheckout(
  db: Client,
  input: { workspaceId: string; slug: string; planKey: string; interval: "month" | "year"; requestKey: string; returnUrls?: ReturnUrls; now?: Date },
): Promise<{ sessionId: string; url: string }> {
  const key = requestKeyOf(input.requestKey);
  const now = input.now ?? new Date();
  await assertPurchasesAllowed(db, input.workspaceId);
  const sub = await db.subscription.findUniqueOrThrow({ where: { workspaceId: input.workspaceId } });
  if (billedByStripe(sub) && LIVE.has(sub.status)) {
    throw new AppError("conflict", "This workspace already has a paid subscription; change its plan instead of starting a new checkout.");
  }
  const plan = await currentPlanVersion(db, input.planKey);
  // The body names no such plan: bad input (400), not a missing workspace, which is what 404 says on these routes.
  if (!plan) throw new AppError("invalid_request", `Unknown plan "${input.planKey}".`, { field: "plan" });
  const priceId = input.interval === "year" ? plan.stripeAnnualPriceId : plan.stripeMonthlyPriceId;
  if ((input.interval === "year" ? plan.annualPriceCents : plan.monthlyPriceCents) <= 0) throw new AppError("invalid_request", "The Free plan needs no checkout.");
  if (!priceId) throw new AppError("billing_unavailable", "Prices are not synced to Stripe yet; try again in a minute.");
  const customer = await ensureStripeCustomer(db, input.workspaceId);
  const trialEnd = sub.status === "trialing" && !billedByStripe(sub) && sub.trialEndsAt && sub.trialEndsAt.getTime() - now.getTime() >= STRIPE_TRIAL_MIN_MS
    ? Math.floor(sub.trialEndsAt.getTime() / 1000)
    : undefined;
  const open = await openCheckouts(input.workspaceId, customer);
  const reusable = open.find((s) => s.url && (s.metadata?.trialEnd ?? null) === (trialEnd ? String(trialEnd) : null) && s.line_items?.data.some((li) => idOf(li.price) === priceId));
  if (reusable) {
    await expireAll(open.filter((s) => s.id !== reusable.id));
    return { sessionId: reusable.id, url: reusable.url! };
  }
  const metadata = { workspaceId: input.workspaceId, planKey: plan.key, planVersion: String(plan.version) };
  const tax = await automaticTaxEnabled(db);
  const base = env().APP_URL.replace(/\/$/, "");
  const session = await createCheckoutSession(
    {
      mode: "subscription",
      customer,
      client_reference_id: input.workspaceId,
      // The session records the trial it carries, so it is reused only while that is still the offer.
      metadata: trialEnd ? { ...metadata, trialEnd: String(trialEnd) } : metadata,
      line_items: [{ price: priceId, quantity: 1 }],
      subscription_data: { metadata, ...(trialEnd ? { trial_end: trialEnd } : {}) },
      ...checkoutTaxParams(tax),
      success_url: input.returnUrls?.success ?? `${base}/w/${input.slug}/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: input.returnUrls?.cancel ?? `${base}/w/${input.slug}/plans?checkout=canceled`,
    },
    // The key is the workspace's and the caller's alone: the same key with another plan, interval or return URL is
    // Stripe's idempotency error, answered 409, never a second session.
    `checkout_${input.workspaceId}_sub_${key}`,
  );
  // Only now, with the new session made, are the other open ones expired: a refused request leaves them as they were.
  await expireAll(open.filter((s) => s.id !== session.id));
  if (!session.url) throw new AppError("billing_unavailable", "Stripe did not return a checkout page.");
  return { sessionId: session.id, url: session.url };
}

/**
 * One open subscription checkout per workspace: a checkout for the same price and the same carried-over
 * trial that is still open is reused (a second tab, a click after going back); any other open one (another
 * plan or interval, or made before a trial started or after it could no longer be carried) is expired once the
 * new one exists, so the customer's latest choice is the only one left to pay. Two completed anyway (a race, an
 * expiry that lost to a payment) are settled by the sync, which keeps the one completed last.
 */
async function openCheckouts(workspaceId: string, customer: string): Promise<Stripe.Checkout.Session[]> {
  const open = await stripe().checkout.sessions.list({ customer, status: "open", limit: 100, expand: ["data.line_items"] });
  return open.data.filter((s) => s.mode === "subscription" && (s.metadata?.workspaceId ?? s.client_reference_id) === workspaceId);
}

async function expireAll(sessions: Stripe.Checkout.Session[]): Promise<void> {
  for (const s of sessions) {
    try {
      await stripe().checkout.sessions.expire(s.id, {}, { idempotencyKey: `checkout_expire_${s.id}` });
    } catch (e) {
      // Completed or expired meanwhile: a completed one is settled by the sync.
      if (!isStripeError(e)) throw e;
    }
  }
}

/** Starts Stripe Checkout for an extras pack (payment mode, automatic tax per STRIPE_AUTOMATIC_TAX); one session per click. */
export async function startPackCheckout(
  db: Client,
  input: { workspaceId: string; slug: string; pack: string; requestKey: string; returnUrls?: ReturnUrls },
): Promise<{ sessionId: string; url: string }> {
  const key = requestKeyOf(input.requestKey);
  await assertPurchasesAllowed(db, input.workspaceId);
  const pack = await db.extrasPack.findFirst({ where: { OR: [{ id: input.pack }, { key: input.pack }], active: true } });
  if (!pack) throw new AppError("invalid_request", `Unknown extras pack "${input.pack}".`, { field: "pack" });
  if (!pack.stripePriceId) throw new AppError("billing_unavailable", "Prices are not synced to Stripe yet; try again in a minute.");
  const customer = await ensureStripeCustomer(db, input.workspaceId);
  const metadata = { workspaceId: input.workspaceId, packId: pack.id, kind: "extras" };
  const tax = await automaticTaxEnabled(db);
  const base = env().APP_URL.replace(/\/$/, "");
  const session = await createCheckoutSession(
    {
      mode: "payment",
      customer,
      client_reference_id: input.workspaceId,
      metadata,
      line_items: [{ price: pack.stripePriceId, quantity: 1 }],
      // The card is kept for auto top-ups, and the payment carries the same metadata for refunds.
      payment_intent_data: { metadata, setup_future_usage: "off_session" },
      ...checkoutTaxParams(tax),
      success_url: input.returnUrls?.success ?? `${base}/w/${input.slug}/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: input.returnUrls?.cancel ?? `${base}/w/${input.slug}/extras?checkout=canceled`,
    },
    `checkout_${input.workspaceId}_pack_${key}`,
  );
  if (!session.url) throw new AppError("billing_unavailable", "Stripe did not return a checkout page.");
  // The purchase is known from now on: a bank debit shows it pending until it clears, an expiry tidies it.
  await db.extrasPurchase.upsert({
    where: { checkoutSessionId: session.id },
    create: { workspaceId: input.workspaceId, checkoutSessionId: session.id, packId: pack.id, amountCents: session.amount_total ?? pack.priceCents, currency: session.currency ?? pack.currency },
    update: {},
  });
  return { sessionId: session.id, url: session.url };
}

/**
 * Stripe's Checkout session create. A key Stripe already saw with other parameters (the integrator's
 * idempotency key sent again with other return URLs, say) is the caller's conflict, not a failure of ours.
 */
async function createCheckoutSession(params: Stripe.Checkout.SessionCreateParams, key: string): Promise<Stripe.Checkout.Session> {
  try {
    // A key's answer is kept for a day, as it was then: a session it made that has since expired is no page to send
    // anyone to, so the same request is made anew under a key named after that session (and again, should that one
    // have expired too). Open or paid, the replayed answer stands: the page, or the purchase made.
    let session = await stripe().checkout.sessions.create(params, { idempotencyKey: key });
    for (let tries = 0; tries < 10 && session.lastResponse?.headers?.["idempotent-replayed"] === "true"; tries++) {
      if ((await stripe().checkout.sessions.retrieve(session.id)).status !== "expired") return session;
      session = await stripe().checkout.sessions.create(params, { idempotencyKey: `${key}_after_${session.id}` });
    }
    return session;
  } catch (e) {
    if (isStripeError(e) && e.type === "StripeIdempotencyError") {
      throw new AppError("idempotency_conflict", "This idempotency key was already used with a different request.", { field: "idempotencyKey" });
    }
    throw e;
  }
}

export type CheckoutOutcome =
  | { kind: "subscription"; state: "active" | "pending"; planName: string | null; status: string | null }
  | { kind: "extras"; state: "credited" | "pending"; units: string | null; balance: string | null; created: boolean; notifications?: string[] }
  | { kind: "other"; state: "ignored" };

/** What a completed checkout's application reads first: for a subscription, its sync's read phase (Stripe calls). */
export interface CheckoutRead {
  session: Stripe.Checkout.Session;
  subscription: SubscriptionRead | null;
}

/**
 * The read phase of a completed checkout: a subscription checkout's completion takes its place in the order
 * of completions (committed, before its sync draws a ticket, so that sync and every later one see it), then
 * the subscription is read. No transaction: the webhook runs this before opening its event's.
 */
export async function readCheckoutSession(db: Client, session: Stripe.Checkout.Session): Promise<CheckoutRead> {
  const workspaceId = session.metadata?.workspaceId ?? session.client_reference_id;
  const subscriptionId = idOf(session.subscription);
  if (session.mode !== "subscription" || session.status !== "complete" || !workspaceId || !subscriptionId) return { session, subscription: null };
  await recordSubscriptionCompletion(db, session);
  return { session, subscription: await readSubscription(db, { subscriptionId, workspaceId }) };
}

/** Applies a completed checkout session (applyCheckoutRead) after reading what it needs from Stripe. */
export async function applyCheckoutSession(db: Client, session: Stripe.Checkout.Session, now = new Date()): Promise<CheckoutOutcome> {
  return applyCheckoutRead(db, await readCheckoutSession(db, session), now);
}

/**
 * Applies a completed checkout session: subscription mode applies the sync read by readCheckoutSession
 * (plan and quotas at once; the completion's place in the order was recorded there);
 * payment mode credits the pack, exactly once per session however many times this runs (the webhook and
 * the success page race here; topupExtras is idempotent per session under the account lock).
 * Database work only: in the caller's transaction, or in transactions of its own.
 */
export async function applyCheckoutRead(db: Client, read: CheckoutRead, now = new Date()): Promise<CheckoutOutcome> {
  const { session } = read;
  const workspaceId = session.metadata?.workspaceId ?? session.client_reference_id;
  if (!workspaceId) return { kind: "other", state: "ignored" };
  const customerId = idOf(session.customer);
  if (customerId) await db.workspace.updateMany({ where: { id: workspaceId, stripeCustomerId: null }, data: { stripeCustomerId: customerId } });

  if (session.mode === "subscription") {
    const subscriptionId = idOf(session.subscription);
    if (session.status !== "complete" || !subscriptionId) return { kind: "subscription", state: "pending", planName: null, status: null };
    const result = await applySubscriptionRead(db, read.subscription ?? { workspaceId: null, reason: "not read" }, now);
    const sub = await db.subscription.findUnique({ where: { workspaceId }, include: { plan: true } });
    return { kind: "subscription", state: result.applied || sub?.stripeSubscriptionId === subscriptionId ? "active" : "pending", planName: sub?.plan.name ?? null, status: sub?.status ?? null };
  }

  if (session.mode === "payment" && session.metadata?.kind === "extras" && session.metadata.packId) {
    const purchase = { workspaceId, session, packId: session.metadata.packId };
    if (session.status !== "complete" || session.payment_status !== "paid") {
      // Complete but unpaid: an asynchronous payment (a bank debit) on its way; credited when it succeeds.
      if (session.status === "complete") await withTransaction(db, (tx) => recordPurchase(tx, purchase, "processing", now));
      return { kind: "extras", state: "pending", units: null, balance: null, created: false };
    }
    const lot = await withTransaction(db, async (tx) => {
      const credited = await topupExtras(tx, {
        workspaceId,
        pack: session.metadata!.packId!,
        checkoutSessionId: session.id,
        paymentIntentId: idOf(session.payment_intent),
        amountCents: session.amount_total,
        currency: session.currency,
        now,
      });
      await recordPurchase(tx, purchase, "paid", now);
      const receipt = await recordPackReceipt(tx, {
        workspaceId, sessionId: session.id, packId: purchase.packId, units: credited.units, amountCents: session.amount_total ?? 0, currency: session.currency ?? "usd", now,
      });
      return { ...credited, notifications: receipt ? [receipt] : [] };
    });
    await sendIfCommitted(db, lot.notifications, now);
    return { kind: "extras", state: "credited", units: lot.units, balance: lot.balance, created: lot.created, notifications: lot.notifications };
  }
  return { kind: "other", state: "ignored" };
}

const PURCHASE_ORDER = ["open", "processing", "failed", "expired", "paid"];

/**
 * Moves a pack purchase forward (open -> processing -> paid or failed; open -> expired), never back: events
 * may come in any order and any number of times, and a paid purchase stays paid.
 */
export async function recordPurchase(
  tx: Tx,
  p: { workspaceId: string; session: Stripe.Checkout.Session; packId: string },
  status: "processing" | "paid" | "failed" | "expired",
  now: Date,
  failureMessage: string | null = null,
): Promise<boolean> {
  const existing = await tx.extrasPurchase.findUnique({ where: { checkoutSessionId: p.session.id } });
  if (existing && PURCHASE_ORDER.indexOf(existing.status) >= PURCHASE_ORDER.indexOf(status)) return false;
  const data = { status, paymentIntentId: idOf(p.session.payment_intent), failureMessage, updatedAt: now };
  if (existing) await tx.extrasPurchase.update({ where: { id: existing.id }, data });
  else {
    const pack = await tx.extrasPack.findUnique({ where: { id: p.packId } });
    await tx.extrasPurchase.create({
      data: { workspaceId: p.workspaceId, checkoutSessionId: p.session.id, packId: p.packId, amountCents: p.session.amount_total ?? pack?.priceCents ?? 0, currency: p.session.currency ?? pack?.currency ?? "usd", createdAt: now, ...data },
    });
  }
  return true;
}

/** A completed subscription checkout takes its place in the order of completions (the first time only). */
export async function recordSubscriptionCompletion(db: Client, session: Stripe.Checkout.Session): Promise<void> {
  const workspaceId = session.metadata?.workspaceId ?? session.client_reference_id;
  const subscriptionId = idOf(session.subscription);
  if (session.mode !== "subscription" || session.status !== "complete" || !workspaceId || !subscriptionId) return;
  await recordCheckoutCompletion(db, { workspaceId, checkoutSessionId: session.id, subscriptionId });
}

/**
 * The success page's sync: Stripe may deliver checkout.session.completed after the customer is back, so
 * the page reads the session itself and applies it. A session of another workspace is reported as not found.
 */
export async function syncCheckoutReturn(db: Client, input: { workspaceId: string; sessionId: string }): Promise<CheckoutOutcome> {
  if (!/^cs_[A-Za-z0-9_]+$/.test(input.sessionId)) throw new AppError("not_found", "Unknown checkout session.");
  let session: Stripe.Checkout.Session;
  try {
    session = await stripe().checkout.sessions.retrieve(input.sessionId);
  } catch {
    throw new AppError("not_found", "Unknown checkout session.");
  }
  const owner = session.metadata?.workspaceId ?? session.client_reference_id;
  if (owner !== input.workspaceId) throw new AppError("not_found", "Unknown checkout session.");
  return applyCheckoutSession(db, session);
}
