import { currentPlanVersion } from "@/lib/billing";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { choosePortalConfiguration, idOf, invoicePaymentIntentId, isCardError, isReplayedAnswer, isStripeError, stripe, subscriptionPeriod, subscriptionPrice, type Stripe } from "@/lib/stripe";
import type { Client } from "./db";
import { requestKeyOf } from "./request-key";
import { ensureStripeCustomer } from "./customers";
import { assertPurchasesAllowed } from "./guards";
import { automaticTaxEnabled } from "./automatic-tax";
import { declineReason, type PaymentErrorLike } from "./declines";
import { syncSubscription, type SyncResult } from "./subscription-sync";

type Interval = "month" | "year";

/** Higher tier, or the same tier billed yearly instead of monthly: applied now. Everything else waits for the period end. */
export function isUpgrade(from: { sortOrder: number; interval: Interval }, to: { sortOrder: number; interval: Interval }): boolean {
  if (to.sortOrder !== from.sortOrder) return to.sortOrder > from.sortOrder;
  return from.interval === "month" && to.interval === "year";
}

export async function liveSubscription(db: Client, workspaceId: string) {
  const row = await db.subscription.findUnique({ where: { workspaceId }, include: { plan: true } });
  if (!row) throw new AppError("not_found", "Workspace not found.");
  if (!row.stripeSubscriptionId || !["active", "trialing", "past_due", "degraded"].includes(row.status) || row.stripeStatus === "canceled") {
    throw new AppError("conflict", "This workspace has no paid subscription to change; choose a plan to check out instead.");
  }
  const sub = await stripe().subscriptions.retrieve(row.stripeSubscriptionId, { expand: ["schedule"] });
  return { row, sub };
}

export async function targetPrice(db: Client, planKey: string, interval: Interval) {
  const plan = await currentPlanVersion(db, planKey);
  if (!plan) throw new AppError("not_found", `Unknown plan "${planKey}".`, { field: "plan" });
  const priceId = interval === "year" ? plan.stripeAnnualPriceId : plan.stripeMonthlyPriceId;
  if (!priceId || (interval === "year" ? plan.annualPriceCents : plan.monthlyPriceCents) <= 0) {
    throw new AppError("invalid_request", plan.monthlyPriceCents <= 0 ? "To move to Free, cancel at the period end." : "Prices are not synced to Stripe yet.");
  }
  return { plan, priceId };
}

/** Releases the subscription's schedule, if any; with `key`, a repeated request releases it once. */
async function releaseSchedule(sub: Stripe.Subscription, key?: string): Promise<void> {
  const scheduleId = idOf(sub.schedule);
  if (scheduleId) await stripe().subscriptionSchedules.release(scheduleId, {}, key ? { idempotencyKey: `${key}_${scheduleId}` } : undefined);
}

/** How many fresh tries one upgrade request makes after earlier tries with its token were declined. */
const MAX_UPGRADE_TRIES = 20;

export type UpgradeResult =
  | { state: "upgraded"; sync: SyncResult }
  /** The bank asks the customer to confirm the payment (3-D Secure) on Stripe's hosted invoice page; nothing changes until it is paid. */
  | { state: "requires_action"; hostedInvoiceUrl: string; planName: string; sync: SyncResult };

/**
 * Upgrade now: the subscription's price changes at once with a prorated invoice charged now, and the sync
 * raises the current windows' quotas. A booked downgrade is dropped first.
 *
 * Paid before it applies: the change is made with payment_behavior=pending_if_incomplete, so Stripe applies it
 * only once its invoice is paid. A card that pays applies it at once. A card whose bank asks for 3-D Secure
 * leaves it pending: the plan and quotas stay as they are (no units are given before the money is in), the
 * answer carries the hosted invoice page where the customer confirms the payment, and Stripe applies the
 * change when it is paid (invoice.paid, customer.subscription.updated), or drops it unpaid after 23 hours or
 * at the period end. A declined card changes nothing: its invoice is voided, which drops the pending change,
 * and the error says why (insufficient funds, ...).
 *
 * The amount: with `prorationDate` (the moment the page's preview computed the prorations for, see
 * previewUpgrades), Stripe charges exactly the amount the customer was shown; without it, as of now.
 *
 * Idempotency: the key is the subscription, the target price and the form's request token, so a double
 * click is one Stripe request. Stripe keeps an answer under its key for a day; when the answer to a try is a
 * replayed one whose payment was declined, that try is over and the next number is tried, so a retry after
 * the card was fixed is a new attempt while concurrent clicks still share each key.
 */
export async function upgradeNow(db: Client, input: { workspaceId: string; planKey: string; interval: Interval; requestKey?: string; prorationDate?: number }): Promise<UpgradeResult> {
  // The app's form always sends its token; a caller without one (scripts) makes a fresh request each call.
  const token = requestKeyOf(input.requestKey ?? `once_${crypto.randomUUID().replaceAll("-", "")}`);
  await assertPurchasesAllowed(db, input.workspaceId);
  const { row, sub } = await liveSubscription(db, input.workspaceId);
  const { plan, priceId } = await targetPrice(db, input.planKey, input.interval);
  if (!isUpgrade({ sortOrder: row.plan.sortOrder, interval: row.interval }, { sortOrder: plan.sortOrder, interval: input.interval })) {
    throw new AppError("invalid_request", `${plan.name} is not an upgrade from ${row.plan.name}; schedule it for the end of the period instead.`);
  }
  const item = sub.items.data[0];
  if (!item) throw new AppError("billing_unavailable", "The subscription has no item to change.");
  const waiting = await waitingUpgrade(sub, priceId);
  if (waiting) return { state: "requires_action", hostedInvoiceUrl: waiting, planName: plan.name, sync: await syncSubscription(db, { subscriptionId: sub.id, workspaceId: input.workspaceId }) };
  const prorationDate = usableProrationDate(sub, input.prorationDate);
  await releaseSchedule(sub, `upgrade_release_${token}`);
  // Upgrade amounts follow flexible billing mode, Stripe's default for new subscriptions: the credit for unused time
  // is what was billed for the period (not the current list price, which a price moved without proration never
  // billed). A subscription still in classic mode is moved to flexible first (Stripe allows it once, never back).
  if (sub.billing_mode?.type !== "flexible") {
    await stripe().subscriptions.migrate(sub.id, { billing_mode: { type: "flexible" } }, { idempotencyKey: `upgrade_flexible_${sub.id}` });
  }
  // The subscription was taxed as its checkout was. With automatic tax off now (STRIPE_AUTOMATIC_TAX, or an account
  // whose Stripe Tax is no longer active) it is turned off before the upgrade is invoiced (a pending update takes no
  // automatic_tax), so Stripe does not refuse the change. It is never turned on here: that needs the customer's
  // address, which only a taxed checkout collects.
  if (sub.automatic_tax.enabled && !(await automaticTaxEnabled(db))) {
    await stripe().subscriptions.update(sub.id, { automatic_tax: { enabled: false } }, { idempotencyKey: `upgrade_untaxed_${sub.id}_${token}` });
  }
  for (let attempt = 1; ; attempt++) {
    let updated: Stripe.Response<Stripe.Subscription>;
    try {
      updated = await stripe().subscriptions.update(
        sub.id,
        { items: [{ id: item.id, price: priceId }], proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete", ...(prorationDate ? { proration_date: prorationDate } : {}) },
        { idempotencyKey: `upgrade_${sub.id}_${priceId}_${token}${attempt > 1 ? `_${attempt}` : ""}` },
      );
    } catch (e) {
      if (isCardError(e) && isReplayedAnswer(e) && attempt < MAX_UPGRADE_TRIES) continue;
      if (isCardError(e)) throw declined(e);
      throw e;
    }
    const outcome = await upgradeOutcome(updated);
    if (outcome.kind === "paid") break;
    if (outcome.kind === "requires_action") {
      return { state: "requires_action", hostedInvoiceUrl: outcome.url, planName: plan.name, sync: await syncSubscription(db, { subscriptionId: sub.id, workspaceId: input.workspaceId }) };
    }
    // Declined. An answer replayed from an earlier try is that try's decline: the next number is a new try.
    if (updated.lastResponse?.headers?.["idempotent-replayed"] === "true" && attempt < MAX_UPGRADE_TRIES) continue;
    if (outcome.invoiceId) await voidQuietly(outcome.invoiceId);
    throw declined(outcome.error);
  }
  // Paid: the checkout's metadata follows the plan now held, and an upgrade keeps the subscription going.
  await stripe().subscriptions.update(
    sub.id,
    { cancel_at_period_end: false, metadata: { workspaceId: input.workspaceId, planKey: plan.key, planVersion: String(plan.version) } },
    { idempotencyKey: `upgrade_settle_${sub.id}_${priceId}_${token}` },
  );
  return { state: "upgraded", sync: await syncSubscription(db, { subscriptionId: sub.id, workspaceId: input.workspaceId }) };
}

/** A preview older than this is not honoured: the upgrade is then prorated as of now, never billed for a time long gone. */
const PREVIEW_VALID_SECONDS = 3600;

/**
 * The preview's proration date, if the upgrade may still use it: inside the subscription's current period (Stripe
 * refuses others) and, off test clocks, at most an hour old.
 */
function usableProrationDate(sub: Stripe.Subscription, date: number | undefined): number | undefined {
  const period = subscriptionPeriod(sub);
  if (!date || !period || date < period.start.getTime() / 1000 || date >= period.end.getTime() / 1000) return undefined;
  if (!sub.test_clock && date < Date.now() / 1000 - PREVIEW_VALID_SECONDS) return undefined;
  return date;
}

type Outcome = { kind: "paid" } | { kind: "requires_action"; url: string } | { kind: "declined"; invoiceId: string | null; error: PaymentErrorLike | null };

/** What became of an upgrade's payment, read from its invoice as Stripe has it now (a replayed answer may be older). */
async function upgradeOutcome(updated: Stripe.Subscription): Promise<Outcome> {
  const invoiceId = idOf(updated.latest_invoice);
  if (!updated.pending_update) return { kind: "paid" };
  if (!invoiceId) return { kind: "declined", invoiceId: null, error: null };
  const invoice = await stripe().invoices.retrieve(invoiceId, { expand: ["payments"] });
  if (invoice.status === "paid") return { kind: "paid" };
  if (invoice.status !== "open") return { kind: "declined", invoiceId: null, error: null };
  const piId = invoicePaymentIntentId(invoice);
  const pi = piId ? await stripe().paymentIntents.retrieve(piId) : null;
  if (pi?.status === "requires_action" && invoice.hosted_invoice_url) return { kind: "requires_action", url: invoice.hosted_invoice_url };
  return { kind: "declined", invoiceId: invoice.id!, error: pi?.last_payment_error ?? null };
}

/**
 * An upgrade already waiting for the customer's confirmation: to the same price, its link is the answer (a
 * second click does not make a second invoice); to another price, it is dropped (its invoice voided) so the
 * new choice is the only one left to pay.
 */
async function waitingUpgrade(sub: Stripe.Subscription, priceId: string): Promise<string | null> {
  if (!sub.pending_update) return null;
  const invoiceId = idOf(sub.latest_invoice);
  const pendingPrice = idOf(sub.pending_update.subscription_items?.[0]?.price ?? null);
  const outcome = await upgradeOutcome(sub);
  if (outcome.kind === "requires_action" && pendingPrice === priceId) return outcome.url;
  if (invoiceId) await voidQuietly(invoiceId);
  return null;
}

/** Voids an upgrade's unpaid invoice, which drops its pending change; one already voided or paid is left alone. */
async function voidQuietly(invoiceId: string): Promise<void> {
  try {
    await stripe().invoices.voidInvoice(invoiceId, {}, { idempotencyKey: `upgrade_void_${invoiceId}` });
  } catch (e) {
    if (!isStripeError(e) || e.type !== "StripeInvalidRequestError") throw e;
  }
}

function declined(error: PaymentErrorLike | null): AppError {
  return new AppError("invalid_request", `The payment was declined (${declineReason(error)}); nothing changed. Use another card in the billing portal and try again.`);
}

/** The subscription's settings a schedule phase must repeat to keep them (see scheduleDowngrade). */
function phaseSettings(sub: Stripe.Subscription): Pick<Stripe.SubscriptionScheduleUpdateParams.Phase, "automatic_tax" | "default_payment_method"> {
  const card = idOf(sub.default_payment_method);
  return {
    // Liability stays the account's own (Tally is not a Connect platform).
    automatic_tax: { enabled: sub.automatic_tax.enabled },
    ...(card ? { default_payment_method: card } : {}),
  };
}

/**
 * Books a downgrade (or a move to monthly billing) for the end of the current period with a subscription
 * schedule: this period keeps the current price, the next one starts on the new price. Quotas stay until then.
 */
export async function scheduleDowngrade(db: Client, input: { workspaceId: string; planKey: string; interval: Interval }) {
  const { row, sub } = await liveSubscription(db, input.workspaceId);
  const { plan, priceId } = await targetPrice(db, input.planKey, input.interval);
  if (plan.id === row.planId && input.interval === row.interval) throw new AppError("invalid_request", `You are already on ${plan.name}.`);
  if (isUpgrade({ sortOrder: row.plan.sortOrder, interval: row.interval }, { sortOrder: plan.sortOrder, interval: input.interval })) {
    throw new AppError("invalid_request", `${plan.name} is an upgrade; it applies now instead.`);
  }
  const current = subscriptionPrice(sub);
  const period = subscriptionPeriod(sub);
  if (!current || !period) throw new AppError("billing_unavailable", "The subscription has no item to change.");
  if (sub.cancel_at_period_end) await stripe().subscriptions.update(sub.id, { cancel_at_period_end: false });
  let schedule = sub.schedule && typeof sub.schedule !== "string" ? sub.schedule : null;
  if (!schedule) schedule = await stripe().subscriptionSchedules.create({ from_subscription: sub.id });
  const start = schedule.phases[0]?.start_date ?? Math.floor(period.start.getTime() / 1000);
  // Stripe replaces the whole phases array, and a phase without a setting takes the schedule's empty
  // default_settings when it begins: both phases repeat the subscription's tax, card and metadata, or the
  // renewal would be billed without tax and without the card checkout saved on the subscription. The
  // billing mode is the schedule's, taken from the subscription when it was created from it.
  const settings = phaseSettings(sub);
  await stripe().subscriptionSchedules.update(schedule.id, {
    end_behavior: "release",
    phases: [
      {
        ...settings,
        items: [{ price: current.id, quantity: 1 }],
        start_date: start,
        end_date: Math.floor(period.end.getTime() / 1000),
        metadata: { ...sub.metadata },
        ...(sub.status === "trialing" && sub.trial_end ? { trial_end: sub.trial_end } : {}),
      },
      {
        ...settings,
        items: [{ price: priceId, quantity: 1 }],
        duration: { interval: input.interval, interval_count: 1 },
        metadata: { ...sub.metadata, workspaceId: input.workspaceId, planKey: plan.key, planVersion: String(plan.version) },
      },
    ],
  });
  return syncSubscription(db, { subscriptionId: sub.id, workspaceId: input.workspaceId });
}

/** Drops a booked downgrade: the schedule is released and the subscription renews on its current price. */
export async function cancelScheduledChange(db: Client, input: { workspaceId: string }) {
  const { sub } = await liveSubscription(db, input.workspaceId);
  if (!idOf(sub.schedule)) throw new AppError("invalid_request", "No plan change is scheduled.");
  await releaseSchedule(sub);
  return syncSubscription(db, { subscriptionId: sub.id, workspaceId: input.workspaceId });
}

/** Cancel at the period end (the workspace returns to Free then), or undo that before it happens. */
export async function setCancelAtPeriodEnd(db: Client, input: { workspaceId: string; cancel: boolean }): Promise<{ changed: boolean }> {
  const { sub } = await liveSubscription(db, input.workspaceId);
  if (input.cancel) await releaseSchedule(sub);
  await stripe().subscriptions.update(sub.id, { cancel_at_period_end: input.cancel });
  await syncSubscription(db, { subscriptionId: sub.id, workspaceId: input.workspaceId });
  // Whether Stripe had it otherwise (read just now, not the local copy a late webhook may not have updated yet).
  return { changed: sub.cancel_at_period_end !== input.cancel };
}

/**
 * A billing portal session (change card, see invoices and details, cancel) that returns to billing. It uses the
 * account's default portal configuration, else the one `npm run stripe:setup` created (a configuration made
 * through the API is never the default, so the session names it); with none, Stripe would refuse the session.
 */
export async function openBillingPortal(db: Client, input: { workspaceId: string; slug: string; returnUrl?: string }): Promise<string> {
  const portal = await choosePortalConfiguration(stripe());
  if (!portal.ready) {
    console.error("[payments] the Stripe account has no billing portal configuration: run `npm run stripe:setup` (or save the portal settings in Stripe's Dashboard)");
    throw new AppError("billing_unavailable", "The billing portal is not available yet. Please try again later.");
  }
  const customer = await ensureStripeCustomer(db, input.workspaceId);
  const session = await stripe().billingPortal.sessions.create({
    customer,
    return_url: input.returnUrl ?? `${env().APP_URL.replace(/\/$/, "")}/w/${input.slug}/billing`,
    ...(portal.configurationId ? { configuration: portal.configurationId } : {}),
  });
  return session.url;
}
