// One random sequence of operations, run against the reference model and the real engine side by side.
// Operations are plain data (so a failing sequence prints as a test that replays it), and every index into
// earlier things (a key to replay, a lot to refund) is taken modulo what exists, so shrinking keeps them valid.
import fc from "fast-check";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { defaultPlans, type EntitlementSpec, type PlanSpec } from "@/lib/billing/catalog";
import { publishPlan, seedCatalog } from "@/lib/billing/plans";
import {
  adjustExtras, checkInvariants, checkUsage, clawbackRefund, closeLostDispute, configureAutoTopUp, expireLots, freezeDisputedUnits, grantExtras, maybeAutoTopUp, onPlanChanged,
  recordUsage, recordUsageBatch, releaseDisputedUnits, resetWindowsForPeriod, topupExtras, type PaymentsPort,
} from "@/lib/billing";
import { giveBackRefund } from "@/lib/billing/refunds";
import { isAppError } from "@/lib/errors";
import { createWorkspace } from "@/lib/workspaces/create-workspace";
import { BooksModel, addMonths, type Answer, type Lot, type Outcome, type Period, type Plan } from "./model";
import { micros, text, type Micros } from "./units";
import { withoutSeatClaims } from "../helpers/seats";

export type Feature = "compute" | "api_calls";
export type Op =
  | { op: "record"; feature: Feature; units: string; key: { kind: "new" } | { kind: "replay" | "conflict"; pick: number }; ago?: number }
  | { op: "batch"; events: { feature: Feature; units: string; key: { kind: "new" } | { kind: "replay" | "conflict"; pick: number }; ago?: number }[] }
  | { op: "check"; feature: Feature; units: string }
  | { op: "advance"; ms: number }
  | { op: "topup"; units: string; cents: number; days: number | null }
  // cents: what the invoice that granted it was paid (absent: no payment known, e.g. older grants).
  | { op: "grant"; units: string; days: number | null; cents?: number }
  | { op: "adjust"; units: string; days: number | null }
  | { op: "refund"; pick: number; cents: number | "full" }
  | { op: "refund_fails"; pick: number }
  | { op: "dispute"; pick: number; cents: number | "full" }
  | { op: "dispute_closes"; pick: number; won: boolean }
  | { op: "auto_top_up"; threshold: string | null; monthlyCap: number }
  | { op: "overdue"; overdue: boolean }
  | { op: "auto_top_up_race" }
  | { op: "expire" }
  | { op: "renew"; twice: boolean }
  | { op: "upgrade" }
  | { op: "downgrade" };

export interface Config {
  period: Period;
  /** Day of month of the billing cycle anchor, 28-31, in a 31-day month. */
  anchorDay: number;
  anchorMonth: number;
  startAfterDays: number;
  level: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const LEVELS = [
  { compute: "100", api_calls: "40" },
  { compute: "250", api_calls: "80" },
  { compute: "600", api_calls: "160" },
];
/** How late a renewal webhook may come: the clock never runs further past the period end before it does. */
const MAX_RENEWAL_DELAY = 20 * HOUR;
/** How early a renewal may be learnt (clock skew between Stripe and this server). */
const MAX_RENEWAL_LEAD = 2 * HOUR;

// ------------------------------------------------------------------ generators

const unitsArb = (maxWhole: number) =>
  fc
    .tuple(fc.integer({ min: 0, max: maxWhole }), fc.constantFrom(0, 0, 0, 500_000, 1, 123_456))
    .filter(([w, f]) => w > 0 || f > 0)
    .map(([w, f]) => text(BigInt(w) * 1_000_000n + BigInt(f)));
const daysArb = fc.option(fc.integer({ min: 1, max: 45 }), { nil: null, freq: 3 });

const keyArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: "new" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("replay" as const, "conflict" as const), pick: fc.nat(1000) }) },
);
const featureArb = fc.constantFrom<Feature>("compute", "compute", "api_calls");
// How far back a new recording is dated: mostly not at all (no timestamp), sometimes within the 24 hours of
// grace, now and then just past them (invalid_timestamp).
const agoArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: DAY }) },
  { weight: 1, arbitrary: fc.integer({ min: DAY + 1, max: DAY + 2 * HOUR }) },
);

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("batch" as const), events: fc.array(fc.record({ feature: featureArb, units: unitsArb(60), key: keyArb, ago: agoArb }), { minLength: 1, maxLength: 8 }) }) },
  { weight: 26, arbitrary: fc.record({ op: fc.constant("record" as const), feature: featureArb, units: unitsArb(60), key: keyArb, ago: agoArb }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("check" as const), feature: fc.constantFrom<Feature>("compute", "api_calls"), units: unitsArb(120) }) },
  { weight: 12, arbitrary: fc.record({ op: fc.constant("advance" as const), ms: fc.oneof(fc.integer({ min: 60_000, max: 6 * HOUR }), fc.integer({ min: DAY, max: 4 * DAY }), fc.integer({ min: 6 * DAY, max: 20 * DAY })) }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant("topup" as const), units: unitsArb(300), cents: fc.integer({ min: 100, max: 5000 }), days: daysArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("grant" as const), units: unitsArb(200), days: daysArb, cents: fc.integer({ min: 100, max: 5000 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("adjust" as const), units: fc.tuple(fc.boolean(), unitsArb(150)).map(([neg, u]) => (neg ? `-${u}` : u)), days: daysArb }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant("refund" as const), pick: fc.nat(1000), cents: fc.oneof(fc.constant("full" as const), fc.integer({ min: 1, max: 3000 })) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("refund_fails" as const), pick: fc.nat(1000) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("dispute" as const), pick: fc.nat(1000), cents: fc.oneof(fc.constant("full" as const), fc.integer({ min: 1, max: 3000 })) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("dispute_closes" as const), pick: fc.nat(1000), won: fc.boolean() }) },
  { weight: 4, arbitrary: fc.constant({ op: "expire" as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("auto_top_up" as const), threshold: fc.option(unitsArb(200), { nil: null, freq: 4 }), monthlyCap: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("overdue" as const), overdue: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ op: "auto_top_up_race" as const }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant("renew" as const), twice: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ op: "upgrade" as const }) },
  { weight: 2, arbitrary: fc.constant({ op: "downgrade" as const }) },
);

export const configArb: fc.Arbitrary<Config> = fc.record({
  period: fc.constantFrom<Period>("day", "week", "month", "billing_period"),
  anchorDay: fc.integer({ min: 28, max: 31 }),
  anchorMonth: fc.constantFrom(0, 2, 4, 6, 7, 9, 11),
  startAfterDays: fc.integer({ min: 0, max: 60 }),
  level: fc.integer({ min: 0, max: 1 }),
});

// ------------------------------------------------------------------ plans shared by all sequences of a run

/** Threshold notices are not part of the books; they go nowhere here. */
const quiet = { async send() {} };

const planCache = new Map<string, Promise<{ id: string; plan: Plan }>>();
const runTag = crypto.randomUUID().slice(0, 6);

function specFor(period: Period, level: number): PlanSpec {
  const free = defaultPlans[0]!;
  const limits = LEVELS[level]!;
  const entitlements: EntitlementSpec[] = [
    { feature: "compute", kind: "meter", limit: limits.compute, period, overflow: "extras" },
    { feature: "api_calls", kind: "meter", limit: limits.api_calls, period: "month", overflow: "block" },
    ...free.entitlements.filter((e) => e.kind === "gauge"),
  ];
  return { ...free, key: `model_${runTag}_${period}_${level}`, name: `Model ${period} ${level}`, entitlements };
}

function planFor(db: PrismaClient, period: Period, level: number) {
  const key = `${period}:${level}`;
  let p = planCache.get(key);
  if (!p) {
    p = (async () => {
      const spec = specFor(period, level);
      const { plan } = await publishPlan(db, spec);
      const model: Plan = {};
      for (const e of spec.entitlements.filter((x) => x.kind === "meter")) {
        model[e.feature] = { limit: e.limit === null ? null : micros(e.limit), period: e.period as Period, overflow: e.overflow };
      }
      return { id: plan.id, plan: model };
    })();
    planCache.set(key, p);
  }
  return p;
}

let catalog: Promise<unknown> | undefined;

// ------------------------------------------------------------------ running a sequence

export interface SequenceResult {
  steps: number;
}

export class Difference extends Error {}

/** How often each rule was exercised across the run, printed with the figures so a thin run shows. */
export const coverage: Record<string, number> = {};
const saw = (what: string) => (coverage[what] = (coverage[what] ?? 0) + 1);

/** Runs one sequence; throws Difference at the first answer or state that differs from the model. */
export async function runSequence(db: PrismaClient, config: Config, ops: Op[]): Promise<SequenceResult> {
  catalog ??= seedCatalog(db);
  await catalog;
  const anchor = Date.UTC(2026, config.anchorMonth, config.anchorDay, 9, 30);
  let now = anchor + config.startAfterDays * DAY + 17 * 60_000;
  // Periods are months stepped from the anchor, as Stripe steps them: period k is [anchor + k, anchor + k + 1).
  let k = 0;
  while (addMonths(anchor, k + 1) <= now) k++;
  const [periodStart, periodEnd] = [addMonths(anchor, k), addMonths(anchor, k + 1)];
  let level = config.level;
  const start = await planFor(db, config.period, level);

  const user = await db.user.create({ data: { email: `model-${crypto.randomUUID()}@example.test` } });
  const ws = await createWorkspace(db, { name: `Model ${runTag}`, ownerId: user.id });
  const workspaceId = ws.id;
  await withoutSeatClaims(db, workspaceId);
  await db.subscription.update({
    where: { workspaceId },
    data: { planId: start.id, status: "active", periodAnchor: new Date(anchor), currentPeriodStart: new Date(periodStart), currentPeriodEnd: new Date(periodEnd) },
  });
  const model = new BooksModel(now, { plan: start.plan, anchor, periodStart, periodEnd, pending: null });
  let pendingLevel: number | null = null;
  const keys: { key: string; feature: Feature; units: string; ts: number | null }[] = [];
  const lotIds: string[] = [];
  const pack = await db.extrasPack.findFirstOrThrow({ orderBy: { sortOrder: "asc" } });
  const refunds: { lot: Lot; refundId: string; cents: number; clawed: Micros; failed: boolean }[] = [];
  // A charge is disputed at most once; a dispute ends once, won or lost.
  const disputes: { lot: Lot; disputeId: string; frozen: Micros; closed: boolean }[] = [];
  // Auto top-ups are paid at once and credited at the step's time: the decision and the books are under test
  // here; the Stripe side of the purchase has its own tests (tests/integration/payments/auto-top-up.test.ts).
  const port: PaymentsPort = {
    async startAutoTopUp({ attemptId }) {
      const r = await topupExtras(db, { workspaceId, pack: pack.key, paymentIntentId: `pi_auto_${attemptId}`, now: new Date(now) });
      lotIds.push(r.lotId);
      return { status: "succeeded", paymentIntentId: `pi_auto_${attemptId}` };
    },
  };
  const metering = { notifier: quiet, payments: port, waitForSideEffects: true };
  /**
   * The key, feature, units and timestamp (null: none sent) of a recording: a new key, or an earlier one replayed
   * or reused with other units; the payload the model compares covers all but the key.
   */
  const resolveKey = (fresh: string, r: { feature: Feature; units: string; key: Extract<Op, { op: "record" }>["key"]; ago?: number }) => {
    let out = { key: fresh, feature: r.feature, units: r.units, ts: r.ago ? now - r.ago : null };
    if (r.key.kind !== "new" && keys.length) {
      const earlier = keys[r.key.pick % keys.length]!;
      out = { ...earlier, units: r.key.kind === "replay" ? earlier.units : text(micros(earlier.units) + 1n) };
    }
    keys.push(out);
    if (out.ts !== null) saw(out.ts < now - DAY ? "backdated_too_far" : "backdated");
    return { ...out, payload: `${out.feature}:${out.units}${out.ts === null ? "" : `@${out.ts}`}`, time: out.ts ?? now, timestamp: out.ts === null ? undefined : new Date(out.ts).toISOString() };
  };
  const say = (step: number, op: Op, what: string): never => {
    throw new Difference(`step ${step} ${JSON.stringify(op)}: ${what}`);
  };

  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    // Every step happens at its own millisecond, so lots and events are ordered by time alone.
    now += 1;
    model.now = now;
    const at = new Date(now);
    switch (op.op) {
      case "record": {
        const { key, feature, units, payload, time, timestamp } = resolveKey(`k${i}`, op);
        const isNew = !model.events.has(key);
        const expected = model.record(feature, micros(units), key, payload, time);
        const actual = await attempt(() => recordUsage(db, { workspaceId, feature, units, idempotencyKey: key, timestamp, now: at }, metering));
        compareAnswer(expected, actual, (w) => say(i, op, w));
        saw("error" in expected ? expected.error : op.key.kind === "new" ? "accepted" : `${op.key.kind}_accepted`);
        if ("ok" in expected && model.events.get(key)?.extrasUnits) saw("paid_by_extras");
        // The engine decides on a purchase after a new event paid by extras (a replay debits nothing), or in the sweep.
        if ("ok" in expected && isNew && model.events.get(key)!.extrasUnits > 0n && model.maybeAutoTopUp()) saw("auto_top_up");
        break;
      }
      case "batch": {
        const events = op.events.map((e, n) => resolveKey(`k${i}_${n}`, e));
        const expected = events.map((e) => {
          const isNew = !model.events.has(e.key);
          const r = model.record(e.feature, micros(e.units), e.key, e.payload, e.time);
          if ("ok" in r && isNew && model.events.get(e.key)!.extrasUnits > 0n && model.maybeAutoTopUp()) saw("auto_top_up");
          return r;
        });
        const outcomes = await recordUsageBatch(db, { workspaceId, events: events.map((e) => ({ feature: e.feature, units: e.units, idempotencyKey: e.key, timestamp: e.timestamp })), now: at }, metering);
        outcomes.forEach((o, n) => {
          const actual: Outcome<EngineAnswer> = o.ok ? { ok: o.answer } : { error: o.error.code };
          compareAnswer(expected[n]!, actual, (w) => say(i, op, `event ${n}: ${w}`));
        });
        saw("batch");
        break;
      }
      case "check": {
        const expected = model.check(op.feature, micros(op.units));
        const actual = await checkUsage(db, { workspaceId, feature: op.feature, units: op.units, now: at });
        if (actual.allowed !== expected) say(i, op, `check allowed ${actual.allowed}, model ${expected}`);
        break;
      }
      case "advance": {
        // A renewal is never learnt later than MAX_RENEWAL_DELAY after the period end: the clock waits for it.
        const limit = model.sub.periodEnd + MAX_RENEWAL_DELAY;
        now = Math.max(now, Math.min(now + op.ms, limit));
        model.now = now;
        break;
      }
      case "topup": {
        const expiresAt = op.days === null ? null : now + op.days * DAY;
        model.credit({ source: "topup", units: micros(op.units), expiresAt, amountCents: op.cents });
        const r = await topupExtras(db, {
          workspaceId, pack: pack.key, paymentIntentId: `pi_model_${workspaceId}_${i}`, amountCents: op.cents, units: op.units,
          expiresAt: expiresAt === null ? null : new Date(expiresAt), now: at,
        });
        lotIds.push(r.lotId);
        break;
      }
      case "grant": {
        const expiresAt = op.days === null ? null : now + op.days * DAY;
        model.credit({ source: "grant", units: micros(op.units), expiresAt, amountCents: op.cents ?? null });
        const payment = op.cents === undefined ? null : { paymentIntentId: `pi_model_${workspaceId}_${i}`, amountCents: op.cents, currency: "usd" };
        const r = await grantExtras(db, { workspaceId, invoiceId: `in_model_${i}`, units: op.units, expiresAt: expiresAt === null ? null : new Date(expiresAt), payment, now: at });
        lotIds.push(r!.lotId);
        break;
      }
      case "adjust": {
        const expiresAt = op.days === null ? null : now + op.days * DAY;
        const negative = op.units.startsWith("-");
        const expected: Outcome<true> = negative
          ? model.adjustDebit(micros(op.units.slice(1)))
          : (model.credit({ source: "adjustment", units: micros(op.units), expiresAt }), { ok: true });
        const actual = await attempt(() =>
          adjustExtras(db, { workspaceId, units: op.units, idempotencyKey: `adj_${i}`, memo: "model", expiresAt: expiresAt === null ? null : new Date(expiresAt), now: at }),
        );
        if ("error" in expected !== "error" in actual) say(i, op, `adjustment ${JSON.stringify(actual)}, model ${JSON.stringify(expected)}`);
        if (!negative && "ok" in actual) lotIds.push(actual.ok.entries.find((e) => e.kind === "adjustment")!.lotId);
        break;
      }
      case "refund": {
        const paid = model.lots.filter((l) => l.amountCents !== null);
        if (!paid.length) break;
        const lot: Lot = paid[op.pick % paid.length]!;
        const cents = op.cents === "full" ? lot.amountCents! - lot.refundedCents : op.cents;
        const expected = model.refund(lot, cents);
        const dbLot = await db.extrasLot.findUniqueOrThrow({ where: { id: lotIds[lot.index]! } });
        const actual = await attempt(() => clawbackRefund(db, { paymentIntentId: dbLot.paymentIntentId!, refundId: `re_model_${i}`, amountCents: cents, now: at }));
        if ("error" in expected !== "error" in actual) say(i, op, `refund ${JSON.stringify(actual)}, model ${JSON.stringify(expected)}`);
        if ("ok" in expected && "ok" in actual && micros(actual.ok.clawedUnits) !== expected.ok) {
          say(i, op, `refund clawed ${actual.ok.clawedUnits}, model ${text(expected.ok)}`);
        }
        saw("error" in expected ? "refund_refused" : model.lots.some((l) => l.remaining < 0n) ? "refund_left_debt" : "refund");
        if (lot.source === "grant" && "ok" in expected) saw("grant_invoice_refunded");
        if ("ok" in expected) refunds.push({ lot, refundId: `re_model_${i}`, cents, clawed: expected.ok, failed: false });
        break;
      }
      case "refund_fails": {
        const open = refunds.filter((r) => !r.failed);
        if (!open.length) break;
        const r = open[op.pick % open.length]!;
        r.failed = true;
        const expected = model.giveBack(r.lot, r.cents, r.clawed);
        const dbLot = await db.extrasLot.findUniqueOrThrow({ where: { id: lotIds[r.lot.index]! } });
        const actual = await giveBackRefund(db, { paymentIntentId: dbLot.paymentIntentId!, refundId: r.refundId, amountCents: r.cents, now: at });
        if (micros(actual.units) !== expected) say(i, op, `gave back ${actual.units}, model ${text(expected)}`);
        saw(r.lot.expired ? "give_back_to_expired_lot" : "give_back");
        break;
      }
      case "dispute": {
        const candidates = model.lots.filter((l) => l.amountCents !== null && !disputes.some((d) => d.lot === l));
        if (!candidates.length) break;
        const lot = candidates[op.pick % candidates.length]!;
        const cents = op.cents === "full" ? lot.amountCents! - lot.refundedCents : op.cents;
        const expected = model.dispute(lot, cents);
        const dbLot = await db.extrasLot.findUniqueOrThrow({ where: { id: lotIds[lot.index]! } });
        const actual = await freezeDisputedUnits(db, { paymentIntentId: dbLot.paymentIntentId!, disputeId: `dp_model_${i}`, amountCents: cents, now: at });
        if (micros(actual.frozenUnits) !== expected) say(i, op, `dispute froze ${actual.frozenUnits}, model ${text(expected)}`);
        disputes.push({ lot, disputeId: `dp_model_${i}`, frozen: expected, closed: false });
        saw(model.lots.some((l) => l.remaining < 0n) ? "dispute_left_debt" : "dispute");
        break;
      }
      case "dispute_closes": {
        const open = disputes.filter((d) => !d.closed);
        if (!open.length) break;
        const d = open[op.pick % open.length]!;
        d.closed = true;
        const dbLot = await db.extrasLot.findUniqueOrThrow({ where: { id: lotIds[d.lot.index]! } });
        const input = { paymentIntentId: dbLot.paymentIntentId!, disputeId: d.disputeId, now: at };
        if (op.won) {
          const expected = model.disputeWon(d.lot, d.frozen);
          const actual = await releaseDisputedUnits(db, input);
          if (micros(actual.units) !== expected) say(i, op, `won dispute gave back ${actual.units}, model ${text(expected)}`);
          saw(d.lot.expired ? "dispute_won_after_expiry" : "dispute_won");
        } else {
          await closeLostDispute(db, input);
          saw("dispute_lost");
        }
        break;
      }
      case "auto_top_up": {
        // New settings: only debits from here on count as crossings.
        model.crossed = false;
        model.autoTopUp = op.threshold === null ? null : { threshold: micros(op.threshold), monthlyCap: op.monthlyCap, pack: { units: micros(pack.units.toString()), cents: pack.priceCents, days: pack.expiresAfterDays } };
        await configureAutoTopUp(db, op.threshold === null ? { workspaceId, enabled: false } : { workspaceId, enabled: true, threshold: op.threshold, pack: pack.key, monthlyCap: op.monthlyCap });
        break;
      }
      case "overdue": {
        model.overdue = op.overdue;
        await db.subscription.update({ where: { workspaceId }, data: { status: op.overdue ? "past_due" : "active" } });
        break;
      }
      case "auto_top_up_race": {
        // Two instances decide at once (the after-commit start and the reconcile sweep, say): one purchase at most.
        model.maybeAutoTopUp();
        await Promise.all([maybeAutoTopUp(db, { workspaceId, port, now: at }), maybeAutoTopUp(db, { workspaceId, port, now: at })]);
        break;
      }
      case "expire": {
        if (model.expire()) saw("lots_expired");
        await expireLots(db, { now: at, workspaceId });
        break;
      }
      case "renew": {
        if (now < model.sub.periodEnd - MAX_RENEWAL_LEAD) break;
        k += 1;
        const p = addMonths(anchor, k);
        const e = addMonths(anchor, k + 1);
        const next = pendingLevel ?? level;
        const plan = await planFor(db, config.period, next);
        saw(now >= p ? "renewal_late" : "renewal_early");
        if (model.windows.some((w) => w.start >= p)) saw("renewal_after_fallback_window");
        model.renew(p, e);
        level = next;
        pendingLevel = null;
        // What the subscription sync does when Stripe reports the new period: store it, then reset and re-snapshot.
        await db.subscription.update({
          where: { workspaceId },
          data: { planId: plan.id, pendingPlanId: null, currentPeriodStart: new Date(p), currentPeriodEnd: new Date(e) },
        });
        for (let n = 0; n < (op.twice ? 2 : 1); n++) {
          await resetWindowsForPeriod(db, { workspaceId, periodStart: new Date(p), periodEnd: new Date(e), now: at });
          await onPlanChanged(db, { workspaceId, now: at });
        }
        break;
      }
      case "upgrade": {
        if (level >= LEVELS.length - 1) break;
        level += 1;
        pendingLevel = null;
        const plan = await planFor(db, config.period, level);
        model.upgrade(plan.plan);
        await db.subscription.update({ where: { workspaceId }, data: { planId: plan.id, pendingPlanId: null } });
        await onPlanChanged(db, { workspaceId, now: at });
        break;
      }
      case "downgrade": {
        if (level === 0) break;
        pendingLevel = level - 1;
        const plan = await planFor(db, config.period, pendingLevel);
        model.downgrade(plan.plan);
        await db.subscription.update({ where: { workspaceId }, data: { pendingPlanId: plan.id } });
        break;
      }
    }
    await compareState(db, workspaceId, model, lotIds, (w) => say(i, op, w));
  }
  const violations = await checkInvariants(db, { workspaceId });
  if (violations.length) throw new Difference(`invariant violations after the sequence: ${JSON.stringify(violations)}`);
  return { steps: ops.length };
}

async function attempt<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: await fn() };
  } catch (e) {
    if (isAppError(e)) return { error: e.code };
    throw e;
  }
}

type EngineAnswer = { allowed: boolean; feature: string; units: string; remaining: string | null; extrasRemaining: string; resetsAt: string | null };

function compareAnswer(expected: Outcome<Answer>, actual: Outcome<EngineAnswer>, fail: (what: string) => never): void {
  if ("error" in expected || "error" in actual) {
    const e = "error" in expected ? expected.error : "accepted";
    const a = "error" in actual ? actual.error : "accepted";
    if (e !== a) fail(`engine ${a}, model ${e}`);
    return;
  }
  const m = expected.ok;
  const a = actual.ok;
  const same =
    a.allowed === m.allowed &&
    a.feature === m.feature &&
    micros(a.units) === m.units &&
    (a.remaining === null ? m.remaining === null : m.remaining !== null && micros(a.remaining) === m.remaining) &&
    micros(a.extrasRemaining) === m.extrasRemaining &&
    (a.resetsAt === null ? false : Date.parse(a.resetsAt) === m.resetsAt);
  if (!same) {
    fail(`engine answered ${JSON.stringify(a)}, model ${JSON.stringify({ ...m, units: text(m.units), remaining: m.remaining === null ? null : text(m.remaining), extrasRemaining: text(m.extrasRemaining), resetsAt: new Date(m.resetsAt).toISOString() })}`);
  }
}

/** Balance, every lot's remainder and expiry, and every event's window and split, against the model. */
async function compareState(db: PrismaClient, workspaceId: string, model: BooksModel, lotIds: string[], fail: (what: string) => never) {
  const [account, lots, events] = await Promise.all([
    db.$queryRaw<{ balance: string }[]>`SELECT balance::text AS balance FROM "ExtrasAccount" WHERE "workspaceId" = ${workspaceId}`,
    db.$queryRaw<{ id: string; remaining: string; expired: boolean }[]>`
      SELECT id, remaining::text AS remaining, "expiredAt" IS NOT NULL AS expired FROM "ExtrasLot" WHERE "workspaceId" = ${workspaceId}`,
    db.$queryRaw<{ key: string; quota: string | null; used: string; start: Date; end: Date; quotaUnits: string; extrasUnits: string }[]>`
      SELECT e."idempotencyKey" AS key, w.quota::text AS quota, w.used::text AS used, w."periodStart" AS start, w."periodEnd" AS end,
             e."quotaUnits"::text AS "quotaUnits", e."extrasUnits"::text AS "extrasUnits"
      FROM "UsageEvent" e JOIN "UsageWindow" w ON w.id = e."windowId" WHERE e."workspaceId" = ${workspaceId}`,
  ]);
  const balance = micros(account[0]?.balance ?? "0");
  if (balance !== model.balance) fail(`balance ${text(balance)}, model ${text(model.balance)}`);
  const byId = new Map(lots.map((l) => [l.id, l]));
  if (lots.length !== model.lots.length) fail(`${lots.length} lots, model ${model.lots.length}`);
  for (const lot of model.lots) {
    const row = byId.get(lotIds[lot.index]!);
    if (!row) fail(`lot ${lot.index} missing`);
    if (micros(row!.remaining) !== lot.remaining || row!.expired !== lot.expired) {
      fail(`lot ${lot.index}: remaining ${row!.remaining} expired ${row!.expired}, model ${text(lot.remaining)} expired ${lot.expired}`);
    }
  }
  if (events.length !== model.events.size) fail(`${events.length} events, model ${model.events.size}`);
  for (const row of events) {
    const ev = model.events.get(row.key);
    if (!ev) fail(`event ${row.key} not in the model`);
    const w = ev!.window;
    const window = (x: { start: number; end: number; quota: Micros | null; used: Micros }) =>
      `[${new Date(x.start).toISOString()}, ${new Date(x.end).toISOString()}) quota ${x.quota === null ? "none" : text(x.quota)} used ${text(x.used)}`;
    const got = window({ start: row.start.getTime(), end: row.end.getTime(), quota: row.quota === null ? null : micros(row.quota), used: micros(row.used) });
    const want = window(w);
    if (got !== want) fail(`event ${row.key} in window ${got}, model ${want}`);
    if (micros(row.quotaUnits) !== ev!.quotaUnits || micros(row.extrasUnits) !== ev!.extrasUnits) {
      fail(`event ${row.key} split ${row.quotaUnits}+${row.extrasUnits}, model ${text(ev!.quotaUnits)}+${text(ev!.extrasUnits)}`);
    }
  }
}

/** A failing sequence as a test to paste into books.test.ts's regressions. */
export function asTest(config: Config, ops: Op[]): string {
  return [
    `test("regression: <what it shows>", async () => {`,
    `  await runSequence(testDb(), ${JSON.stringify(config)}, [`,
    ...ops.map((op) => `    ${JSON.stringify(op)},`),
    `  ]);`,
    `});`,
  ].join("\n");
}
