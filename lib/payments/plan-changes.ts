import { currentPlanVersion } from "@/lib/billing";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { idOf, isCardError, isReplayedAnswer, stripe, subscriptionPeriod, subscriptionPrice, type Stripe } from "@/lib/stripe";
import type { Client } from "./db";
import { REQUEST_KEY } from "./checkout";
import { ensureStripeCustomer } from "./customers";
import { assertPurchasesAllowed } from "./guards";
import { syncSubscription } from "./subscription-sync";

type Interval = "month" | "year";

/** Higher tier, or the same tier billed yearly instead of monthly: applied now. Everything else waits for the period end. */
export function isUpgrade(from: { sortOrder: number; interval: Interval }, to: { sortOrder: number; interval: Interval }): boolean {
  if (to.sortOrder !== from.sortOrder) return to.sortOrder > from.sortOrder;
  return from.interval === "month" && to.interval === "year";
}

async function liveSubscription(db: Client, workspaceId: string) {
  const row = await db.subscription.findUnique({ where: { workspaceId }, include: { plan: true } });
  if (!row) throw new AppError("not_found", "Workspace not found.");
  if (!row.stripeSubscriptionId || !["active", "trialing", "past_due", "degraded"].includes(row.status) || row.stripeStatus === "canceled") {
    throw new AppError("conflict", "This workspace has no paid subscription to change; choose a plan to check out instead.");
  }
  const sub = await stripe().subscriptions.retrieve(row.stripeSubscriptionId, { expand: ["schedule"] });
  return { row, sub };
}

async function targetPrice(db: Client, planKey: string, interval: Interval) {
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

/**
 * Upgrade now: the subscription's price changes at once with a prorated invoice charged now
 * (error_if_incomplete: a declined card changes nothing), then the sync raises the current windows' quotas.
 * A booked downgrade is dropped first.
 *
 * Idempotency: the key is the subscription, the target price and the form's request token, so a double
 * click is one Stripe request. Stripe keeps a declined answer under its key for a day; when the answer to a
 * try is such a stored decline (Idempotent-Replayed), that try is over and the next number is tried, so a
 * retry after the card was fixed is a new attempt while concurrent clicks still share each key.
 */
export async function upgradeNow(db: Client, input: { workspaceId: string; planKey: string; interval: Interval; requestKey?: string }) {
  // The app's form always sends its token; a caller without one (scripts) makes a fresh request each call.
  const token = input.requestKey ?? `once_${crypto.randomUUID().replaceAll("-", "")}`;
  if (!REQUEST_KEY.test(token)) throw new AppError("invalid_request", "The form is out of date; reload the page and try again.");
  await assertPurchasesAllowed(db, input.workspaceId);
  const { row, sub } = await liveSubscription(db, input.workspaceId);
  const { plan, priceId } = await targetPrice(db, input.planKey, input.interval);
  if (!isUpgrade({ sortOrder: row.plan.sortOrder, interval: row.interval }, { sortOrder: plan.sortOrder, interval: input.interval })) {
    throw new AppError("invalid_request", `${plan.name} is not an upgrade from ${row.plan.name}; schedule it for the end of the period instead.`);
  }
  const item = sub.items.data[0];
  if (!item) throw new AppError("billing_unavailable", "The subscription has no item to change.");
  await releaseSchedule(sub, `upgrade_release_${token}`);
  for (let attempt = 1; ; attempt++) {
    try {
      await stripe().subscriptions.update(
        sub.id,
        {
          items: [{ id: item.id, price: priceId }],
          proration_behavior: "always_invoice",
          payment_behavior: "error_if_incomplete",
          cancel_at_period_end: false,
          metadata: { workspaceId: input.workspaceId, planKey: plan.key, planVersion: String(plan.version) },
        },
        { idempotencyKey: `upgrade_${sub.id}_${priceId}_${token}${attempt > 1 ? `_${attempt}` : ""}` },
      );
      break;
    } catch (e) {
      if (isCardError(e) && isReplayedAnswer(e) && attempt < MAX_UPGRADE_TRIES) continue;
      if (isCardError(e)) throw new AppError("invalid_request", `Your card was declined (${e.message}); nothing changed. Update it in the billing portal and try again.`);
      throw e;
    }
  }
  return syncSubscription(db, { subscriptionId: sub.id, workspaceId: input.workspaceId });
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
export async function setCancelAtPeriodEnd(db: Client, input: { workspaceId: string; cancel: boolean }) {
  const { sub } = await liveSubscription(db, input.workspaceId);
  if (input.cancel) await releaseSchedule(sub);
  await stripe().subscriptions.update(sub.id, { cancel_at_period_end: input.cancel });
  return syncSubscription(db, { subscriptionId: sub.id, workspaceId: input.workspaceId });
}

/** A billing portal session (change card, see invoices, change or cancel the plan) that returns to billing. */
export async function openBillingPortal(db: Client, input: { workspaceId: string; slug: string }): Promise<string> {
  const customer = await ensureStripeCustomer(db, input.workspaceId);
  const session = await stripe().billingPortal.sessions.create({ customer, return_url: `${env().APP_URL.replace(/\/$/, "")}/w/${input.slug}/billing` });
  return session.url;
}
