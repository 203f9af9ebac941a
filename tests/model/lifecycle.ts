// The subscription side of the reference model: plans, trials, checkout, renewals, dunning and cancellation,
// run through the Stripe emulator (one test clock per sequence) with its events delivered in order, reversed,
// or shuffled with duplicates. The model says which plan and status the workspace must be on, that at most one
// Stripe subscription is live, and how much of the compute window is used (windows come from BooksModel).
import fc from "fast-check";
import { db } from "@/lib/db";
import { limitations, recordUsage } from "@/lib/billing";
import { defaultPlans } from "@/lib/billing/catalog";
import { processStripeEvent, runDunning, endExpiredTrials, scheduleDowngrade, setCancelAtPeriodEnd, startPlanCheckout, startTrial, syncCheckoutReturn, upgradeNow } from "@/lib/payments";
import { isAppError } from "@/lib/errors";
import type { Stripe } from "@/lib/stripe";
import { CARDS, newWorkspace, requestKey, type PaymentsEnv } from "../integration/payments/helpers";
import { BooksModel, addMonths, type Plan } from "./model";
import { micros, text } from "./units";
import { advanceTestClock, payOnHostedPage } from "@tally/stripe-emulator/testing";

export type PlanKey = "free" | "starter" | "pro" | "max";
type Paid = Exclude<PlanKey, "free">;
export type LifecycleOp =
  | { op: "use"; units: number }
  | { op: "trial"; plan: Paid }
  | { op: "checkout"; plan: Paid; card: "ok" | "fails_later"; returnSync: boolean }
  | { op: "two_checkouts"; first: Paid; second: Paid }
  | { op: "advance"; hours: number }
  | { op: "upgrade"; plan: Paid }
  | { op: "downgrade"; plan: Paid }
  | { op: "cancel" };
export type Delivery = "in_order" | "reversed" | "shuffled_twice";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ISO_WEEK_BASE = Date.UTC(1970, 0, 5);
const ORDER: PlanKey[] = ["free", "starter", "pro", "max"];
const TRIAL_DAYS = 7;
const STRIPE_TRIAL_MIN = 48 * HOUR;
const DEGRADED_AFTER = 7 * DAY;
const UNPAID_AFTER = 14 * DAY;
/** Uses stay far below the smallest weekly quota (Free's 100), so extras never come into it. */
const MAX_USE_TOTAL = 90;

const plans: Record<PlanKey, Plan> = Object.fromEntries(
  defaultPlans.map((p) => {
    const c = p.entitlements.find((e) => e.feature === "compute")!;
    return [p.key, { compute: { limit: c.limit === null ? null : micros(c.limit), period: "week", overflow: "extras" } }];
  }),
) as unknown as Record<PlanKey, Plan>;

export const lifecycleOpArb: fc.Arbitrary<LifecycleOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("use" as const), units: fc.integer({ min: 1, max: 10 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("trial" as const), plan: fc.constantFrom<Paid>("starter", "pro") }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("checkout" as const), plan: fc.constantFrom<Paid>("starter", "pro", "max"), card: fc.constantFrom("ok" as const, "ok" as const, "fails_later" as const), returnSync: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("two_checkouts" as const), first: fc.constantFrom<Paid>("starter", "pro", "max"), second: fc.constantFrom<Paid>("starter", "pro", "max") }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("advance" as const), hours: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 48, max: 12 * 24 })) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("upgrade" as const), plan: fc.constantFrom<Paid>("pro", "max") }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("downgrade" as const), plan: fc.constantFrom<Paid>("starter", "pro") }) },
  { weight: 1, arbitrary: fc.constant({ op: "cancel" as const }) },
);
export const deliveryArb: fc.Arbitrary<Delivery> = fc.constantFrom("in_order", "reversed", "shuffled_twice");

interface StripeSide {
  plan: PlanKey;
  card: "ok" | "fails_later";
  periodStart: number;
  periodEnd: number;
  trialEnd: number | null;
  cancelAtEnd: boolean;
  pending: PlanKey | null;
  /** When the last renewal's invoice is charged: Stripe leaves it a draft for an hour after the period ends. */
  chargeAt: number | null;
}

/** What Tally must show, step by step. */
export class LifecycleModel {
  plan: PlanKey = "free";
  status: "free" | "trialing" | "active" | "past_due" | "degraded" | "unpaid" = "free";
  trialUsed = false;
  trialEndsAt: number | null = null;
  failedAt: number | null = null;
  stripe: StripeSide | null = null;
  /** Payments refunded because they paid for a duplicate subscription. */
  refunds = 0;
  books: BooksModel;

  constructor(public now: number) {
    this.books = new BooksModel(now, { plan: plans.free, anchor: now, periodStart: ISO_WEEK_BASE, periodEnd: 0, pending: null });
  }

  private at(t: number) {
    this.now = t;
    this.books.now = t;
  }

  private setPlan(key: PlanKey) {
    this.plan = key;
    this.books.sub.plan = plans[key];
  }

  use(units: number): boolean {
    return "ok" in this.books.record("compute", micros(units), `use_${this.books.events.size}_${this.now}`, String(units));
  }

  trial(plan: Paid): "ok" | "refused" {
    if (this.trialUsed || this.status !== "free" || this.stripe) return "refused";
    this.trialUsed = true;
    this.trialEndsAt = this.now + TRIAL_DAYS * DAY;
    this.status = "trialing";
    this.books.upgrade(plans[plan]);
    this.plan = plan;
    return "ok";
  }

  checkout(plan: Paid, card: StripeSide["card"]): "ok" | "refused" | "declined" {
    if (this.stripe || this.status === "degraded" || this.status === "unpaid") return "refused";
    const continued = this.status === "trialing" && this.trialEndsAt !== null && this.trialEndsAt - this.now >= STRIPE_TRIAL_MIN;
    // That card can be saved but never charged: a checkout that charges at once is declined and changes nothing.
    if (card === "fails_later" && !continued) return "declined";
    if (continued) {
      // The local trial goes on at Stripe: its first period is the rest of the trial, not a new period for quotas.
      this.stripe = { plan, card, periodStart: this.now, periodEnd: this.trialEndsAt!, trialEnd: this.trialEndsAt, cancelAtEnd: false, pending: null, chargeAt: null };
      this.books.sub.periodStart = this.now;
      this.books.sub.periodEnd = this.trialEndsAt!;
      this.books.upgrade(plans[plan]);
      this.plan = plan;
      return "ok";
    }
    const end = addMonths(this.now, 1);
    this.stripe = { plan, card, periodStart: this.now, periodEnd: end, trialEnd: null, cancelAtEnd: false, pending: null, chargeAt: null };
    this.status = "active";
    this.setPlan(plan);
    this.books.sub.anchor = this.now;
    this.books.renew(this.now, end);
    return "ok";
  }

  /**
   * Two checkouts paid one after the other (two tabs): the one completed last is the subscription, the
   * other is cancelled at once and its payment refunded.
   */
  twoCheckouts(first: Paid, second: Paid): "ok" | "skip" {
    if (this.stripe || this.status !== "free") return "skip";
    this.checkout(first, "ok");
    this.stripe = null;
    this.refunds += 1;
    this.checkout(second, "ok");
    return "ok";
  }

  upgrade(plan: Paid): "ok" | "skip" {
    const s = this.stripe;
    if (!s || this.status !== "active" || s.card !== "ok" || ORDER.indexOf(plan) <= ORDER.indexOf(this.plan)) return "skip";
    s.plan = plan;
    s.pending = null;
    s.cancelAtEnd = false;
    this.books.upgrade(plans[plan]);
    this.plan = plan;
    return "ok";
  }

  downgrade(plan: Paid): "ok" | "skip" {
    const s = this.stripe;
    if (!s || this.status !== "active" || ORDER.indexOf(plan) >= ORDER.indexOf(this.plan)) return "skip";
    s.pending = plan;
    s.cancelAtEnd = false;
    return "ok";
  }

  cancel(): "ok" | "skip" {
    const s = this.stripe;
    if (!s || this.status !== "active") return "skip";
    s.cancelAtEnd = true;
    s.pending = null;
    return "ok";
  }

  /**
   * The clock moves to `to`: Stripe ends trials, renews and charges renewals in time order, then Tally's trial
   * and dunning crons run at `to`. A renewal starts the new period (plan, quotas) at once; its invoice stays a
   * draft for an hour, neither paid nor failed, and only then is charged.
   */
  advance(to: number): void {
    for (;;) {
      const s = this.stripe;
      if (s?.chargeAt != null && s.chargeAt <= to) {
        this.at(s.chargeAt);
        // The "fails later" card fails every charge after checkout.
        if (s.card === "fails_later" && this.failedAt === null) {
          this.failedAt = s.chargeAt;
          if (this.status === "active") this.status = "past_due";
        }
        s.chargeAt = null;
        continue;
      }
      if (!s || s.periodEnd > to) break;
      const t = s.periodEnd;
      this.at(t);
      if (s.cancelAtEnd) {
        this.stripe = null;
        this.status = "free";
        this.failedAt = null;
        this.setPlan("free");
        this.books.sub.periodStart = ISO_WEEK_BASE;
        this.lowerOpenWindows();
        continue;
      }
      const wasTrial = s.trialEnd !== null;
      if (s.pending) [s.plan, s.pending] = [s.pending, null];
      s.trialEnd = null;
      s.periodStart = t;
      s.periodEnd = addMonths(t, 1);
      // A Stripe trial's end makes the subscription active at once, whatever the card; the charge comes an hour later.
      if (wasTrial && this.status === "trialing") this.status = "active";
      s.chargeAt = t + HOUR;
      if (this.status !== "unpaid") this.setPlan(s.plan);
      this.books.sub.anchor = t;
      this.books.renew(t, s.periodEnd);
    }
    this.at(to);
    if (!this.stripe && this.status === "trialing" && this.trialEndsAt !== null && this.trialEndsAt <= to) {
      this.status = "free";
      this.setPlan("free");
      this.lowerOpenWindows();
    }
    if (this.failedAt !== null && (this.status === "past_due" || this.status === "degraded")) {
      if (to - this.failedAt >= UNPAID_AFTER) {
        this.status = "unpaid";
        this.setPlan("free");
        if (this.stripe) this.stripe.pending = null;
        this.lowerOpenWindows();
      } else if (to - this.failedAt >= DEGRADED_AFTER) this.status = "degraded";
    }
  }

  private lowerOpenWindows() {
    // Windows' quotas are not compared in this test (see runLifecycle); only their use is.
  }
}

// ------------------------------------------------------------------ running against the engine

export class LifecycleDifference extends Error {}

/** How often each step took effect, and the states reached, across the run. */
export const lifecycleCoverage: Record<string, number> = {};
const saw = (what: string) => (lifecycleCoverage[what] = (lifecycleCoverage[what] ?? 0) + 1);

const LIVE = new Set(["active", "trialing", "past_due", "unpaid", "incomplete"]);
const seen = new Set<string>();

/** Every event the emulator emitted since the last call, oldest first. */
async function newEvents(stripe: Stripe): Promise<Stripe.Event[]> {
  const out: Stripe.Event[] = [];
  for await (const e of stripe.events.list({ limit: 100 })) {
    if (seen.has(e.id)) break;
    out.push(e);
  }
  for (const e of out) seen.add(e.id);
  return out.reverse();
}

export async function primeEvents(stripe: Stripe) {
  await newEvents(stripe);
}

async function deliverAll(stripe: Stripe, mode: Delivery, rand: () => number, now: Date) {
  let events = await newEvents(stripe);
  if (mode === "reversed") events = events.reverse();
  if (mode === "shuffled_twice") {
    events = [...events, ...events.filter(() => rand() < 0.5)];
    for (let i = events.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [events[i], events[j]] = [events[j]!, events[i]!];
    }
  }
  for (const e of events) {
    const out = await processStripeEvent(db(), e, now);
    if (out.outcome === "failed") throw new LifecycleDifference(`event ${e.type} ${e.id} failed: ${out.error}`);
  }
}

export async function runLifecycle(env: PaymentsEnv, delivery: Delivery, ops: LifecycleOp[]): Promise<{ steps: number }> {
  const stripe = env.stripe;
  await primeEvents(stripe);
  const ws = await newWorkspace("model");
  const start = Math.floor(Date.now() / 1000) * 1000;
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start / 1000 });
  const customer = await stripe.customers.create({ name: "model", metadata: { workspaceId: ws.workspaceId }, test_clock: clock.id });
  await db().workspace.update({ where: { id: ws.workspaceId }, data: { stripeCustomerId: customer.id } });
  const model = new LifecycleModel(start);
  let now = start;
  let seed = 1;
  const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  let used = 0;

  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const fail = (what: string): never => {
      throw new LifecycleDifference(`step ${i} ${JSON.stringify(op)}: ${what}`);
    };
    const at = () => new Date(now);
    const refusedOrOk = async (expected: "ok" | "refused", fn: () => Promise<unknown>) => {
      let actual: "ok" | "refused" = "ok";
      let why = "";
      try {
        await fn();
      } catch (e) {
        if (!isAppError(e)) throw e;
        actual = "refused";
        why = ` (${e.code}: ${e.message})`;
      }
      if (actual !== expected) fail(`engine ${actual}${why}, model ${expected}`);
    };
    switch (op.op) {
      case "use": {
        if (used + op.units > MAX_USE_TOTAL) break;
        used += op.units;
        const expected = model.use(op.units);
        const r = await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", units: op.units, idempotencyKey: `use_${i}`, now: at() }, { notifier: { async send() {} } });
        if (r.allowed !== expected) fail(`use allowed ${r.allowed}, model ${expected}`);
        break;
      }
      case "trial":
        await refusedOrOk(model.trial(op.plan), () => startTrial(db(), { workspaceId: ws.workspaceId, planKey: op.plan, userId: ws.userId, now: at() }));
        break;
      case "checkout": {
        const expected = model.checkout(op.plan, op.card);
        saw(`checkout_${expected}${model.stripe?.trialEnd ? "_trial_carried" : ""}`);
        let url: string | null = null;
        let sessionId: string | null = null;
        await refusedOrOk(expected === "refused" ? "refused" : "ok", async () => {
          ({ url, sessionId } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: op.plan, interval: "month", requestKey: requestKey(), now: at() }));
        });
        if (url) {
          const res = await payOnHostedPage(url, op.card === "ok" ? CARDS.ok : CARDS.failsLater);
          if ((res.status >= 400) !== (expected === "declined")) fail(`checkout page answered ${res.status}, model ${expected}`);
          if (op.returnSync && sessionId) await syncCheckoutReturn(db(), { workspaceId: ws.workspaceId, sessionId });
        }
        break;
      }
      case "two_checkouts": {
        if (model.twoCheckouts(op.first, op.second) === "skip") break;
        saw("two_checkouts");
        // The first through the app; the second from a page opened before (a session the app did not reuse).
        const first = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: op.first, interval: "month", requestKey: requestKey(), now: at() });
        const secondPlan = await db().plan.findFirstOrThrow({ where: { key: op.second }, orderBy: { version: "desc" } });
        const metadata = { workspaceId: ws.workspaceId, planKey: op.second, planVersion: String(secondPlan.version) };
        const second = await stripe.checkout.sessions.create({
          mode: "subscription", customer: customer.id, client_reference_id: ws.workspaceId, metadata, subscription_data: { metadata },
          line_items: [{ price: secondPlan.stripeMonthlyPriceId!, quantity: 1 }], success_url: "http://localhost:3000/ok", cancel_url: "http://localhost:3000/no",
        });
        for (const session of [first, { sessionId: second.id, url: second.url! }]) {
          const res = await payOnHostedPage(session.url, CARDS.ok);
          if (res.status >= 400) fail(`checkout page answered ${res.status}`);
          await syncCheckoutReturn(db(), { workspaceId: ws.workspaceId, sessionId: session.sessionId });
        }
        break;
      }
      case "advance": {
        now += op.hours * HOUR;
        await advanceTestClock(stripe, clock.id, Math.floor(now / 1000));
        model.advance(now);
        await deliverAll(stripe, delivery, rand, at());
        await endExpiredTrials(db(), { now: at() });
        await runDunning(db(), { now: at() });
        break;
      }
      case "upgrade":
        if (model.upgrade(op.plan) === "skip") break;
        saw("upgrade");
        await upgradeNow(db(), { workspaceId: ws.workspaceId, planKey: op.plan, interval: "month" });
        break;
      case "downgrade":
        if (model.downgrade(op.plan) === "skip") break;
        saw("downgrade");
        await scheduleDowngrade(db(), { workspaceId: ws.workspaceId, planKey: op.plan, interval: "month" });
        break;
      case "cancel":
        if (model.cancel() === "skip") break;
        saw("cancel");
        await setCancelAtPeriodEnd(db(), { workspaceId: ws.workspaceId, cancel: true });
        break;
    }
    await deliverAll(stripe, delivery, rand, at());
    saw(`status_${model.status}`);

    const row = await db().subscription.findUniqueOrThrow({ where: { workspaceId: ws.workspaceId }, include: { plan: true } });
    if (row.plan.key !== model.plan || row.status !== model.status) fail(`plan ${row.plan.key} ${row.status}, model ${model.plan} ${model.status}`);
    const live = (await stripe.subscriptions.list({ customer: customer.id, status: "all", limit: 100 })).data.filter((s) => LIVE.has(s.status));
    if (live.length !== (model.stripe ? 1 : 0)) fail(`${live.length} live Stripe subscriptions, model ${model.stripe ? 1 : 0}`);
    if (model.refunds) {
      const refunded = (await stripe.refunds.list({ limit: 100 })).data.filter((r) => r.metadata?.workspaceId === ws.workspaceId || r.reason === "duplicate");
      const mine = [];
      for (const r of refunded) {
        const charge = typeof r.charge === "string" ? await stripe.charges.retrieve(r.charge) : r.charge;
        if (charge && (typeof charge.customer === "string" ? charge.customer : charge.customer?.id) === customer.id) mine.push(r);
      }
      if (mine.length !== model.refunds) fail(`${mine.length} refunds of duplicate subscriptions, model ${model.refunds}`);
    }
    const compute = (await limitations(db(), ws.workspaceId, at())).entitlements.find((e) => e.feature === "compute")!;
    const w = model.books.windows.find((x) => x.feature === "compute" && x.start <= now && now < x.end);
    const expectedUsed = w ? w.used : 0n;
    if (micros(compute.used) !== expectedUsed) fail(`compute used ${compute.used}, model ${text(expectedUsed)}`);
  }
  return { steps: ops.length };
}
