import { Prisma } from "@/lib/generated/prisma/client";
import type { EntitlementKind } from "@/lib/generated/prisma/enums";
import { AppError } from "@/lib/errors";
import { maybeAutoTopUp, type PaymentsPort } from "./auto-top-up";
import { inTransaction, type Client } from "./client";
import { costsToUnits, priceKey, ratiosOf, type Costs, type PriceTable } from "./costs";
import { isUniqueViolation } from "./db-errors";
import { appendEntries, lockExtrasAccount, planDebit, spendableLots, usableExtras, type LockedAccount } from "./extras-ledger";
import { deliverNotifications, type Notifier } from "./notify";
import { LIFETIME_END } from "./periods";
import { THRESHOLDS, crossedThresholds, insertThresholdMarks } from "./thresholds";
import { ZERO, formatUnits, maxDec, minDec, toDec, type Dec } from "./units";
import { readUsageState, refusal, remainingOf, resetsAtOf, usableOf, type UsageAnswer } from "./usage-state";
import { parseRecordInput, type RecordUsageInput } from "./validation";
import { activeWindow, openWindow } from "./windows";

export interface MeteringOptions {
  /** Where threshold notifications go (default: SMTP when SMTP_URL is set, else the console). */
  notifier?: Notifier;
  /** Auto top-up purchases (default: the port the payments code registered). */
  payments?: PaymentsPort;
  /**
   * Wait for notifications and auto top-up before answering. By default they run after the answer,
   * so a slow mail server or payment never delays metering; the cron retries anything left pending.
   */
  waitForSideEffects?: boolean;
}

/** One change to a window's counter, validated. delta > 0 records or claims; delta < 0 releases a gauge. */
export interface UsageRequest {
  workspaceId: string;
  feature: string;
  kind: EntitlementKind;
  delta: Dec;
  idempotencyKey: string;
  requestHash: string;
  metadataJson: string | null;
  now: Date;
}

/**
 * Records usage of a metered feature (see index.ts for the contract). The common path is one SQL
 * statement; past the quota, overflow decides: block refuses, soft accepts, extras debits lots.
 */
export async function recordUsage(db: Client, input: RecordUsageInput, opts: MeteringOptions = {}): Promise<UsageAnswer> {
  const p = parseRecordInput(input);
  let units = p.units;
  if (!units) {
    // Prices may have changed since a first request: a replay must answer as the first time, not re-price.
    const earlier = await replay(db, p.workspaceId, p.idempotencyKey, p.requestHash);
    if (earlier) return earlier;
    units = await unitsFromCosts(db, p.workspaceId, p.costs!);
  }
  return applyUsage(db, { ...p, kind: "meter", delta: units }, opts);
}

/** Units of a run's costs with the workspace's plan version's ratios and the model price table. */
export async function unitsFromCosts(db: Client, workspaceId: string, costs: Costs): Promise<Dec> {
  const sub = await db.subscription.findUnique({ where: { workspaceId }, select: { plan: true } });
  if (!sub) throw new AppError("not_found", "Workspace not found.", { workspaceId });
  const models = costs.tokens ?? [];
  const prices: PriceTable = new Map();
  if (models.length) {
    const rows = await db.modelPrice.findMany({ where: { OR: models.map((t) => ({ provider: t.provider, model: t.model })) } });
    for (const r of rows) prices.set(priceKey(r.provider, r.model), { input: toDec(r.inputDollarsPerMillion), output: toDec(r.outputDollarsPerMillion) });
  }
  return costsToUnits(costs, ratiosOf(sub.plan), prices);
}

/** The first answer for this key, or null when the key is new. 409 when the key came with another payload. */
export async function replay(db: Client, workspaceId: string, idempotencyKey: string, requestHash: string): Promise<UsageAnswer | null> {
  const ev = await db.usageEvent.findUnique({
    where: { workspaceId_idempotencyKey: { workspaceId, idempotencyKey } },
    select: { requestHash: true, response: true },
  });
  if (!ev) return null;
  if (ev.requestHash !== requestHash) {
    throw new AppError("idempotency_conflict", "This idempotency key was already used with a different request.", { idempotencyKey });
  }
  return answerOf(ev.response as unknown as UsageAnswer);
}

/** The stored answer with its fields in one order (jsonb sorts keys), so every path serialises alike. */
function answerOf(r: UsageAnswer): UsageAnswer {
  return { allowed: r.allowed, feature: r.feature, units: r.units, remaining: r.remaining, extrasRemaining: r.extrasRemaining, resetsAt: r.resetsAt };
}

// Opening a window, or losing a race with a reset or an upgrade, costs a retry; more than a few means trouble.
const MAX_ATTEMPTS = 6;

export async function applyUsage(db: Client, req: UsageRequest, opts: MeteringOptions): Promise<UsageAnswer> {
  const units = req.delta.abs();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let fast: FastResult;
    try {
      fast = await fastPath(db, req);
    } catch (e) {
      // The key was taken by a concurrent request between our check and our insert; the statement rolled back whole.
      if (!isUniqueViolation(e)) throw e;
      const earlier = await replay(db, req.workspaceId, req.idempotencyKey, req.requestHash);
      if (earlier) return earlier;
      continue;
    }
    if (fast.answer) {
      await afterCommit(db, opts, fast.notificationIds, null);
      return fast.answer;
    }

    // Zero rows: a replay, no window yet, or not enough quota.
    const earlier = await replay(db, req.workspaceId, req.idempotencyKey, req.requestHash);
    if (earlier) return earlier;
    const state = await readUsageState(db, req.workspaceId, req.feature, req.now);
    const w = state.window;
    if (!w) {
      await openWindow(db, req.workspaceId, req.feature, req.now);
      continue;
    }
    if (w.kind !== req.kind) {
      throw new AppError(
        "invalid_request",
        w.kind === "gauge" ? `${req.feature} is a gauge: claim and release it instead.` : `${req.feature} is metered: record usage instead.`,
        { field: "feature", feature: req.feature },
      );
    }
    if (req.delta.lt(0)) {
      throw new AppError("invalid_request", `Cannot release ${formatUnits(units)} ${req.feature}: only ${formatUnits(w.used)} in use.`, { field: "units" });
    }
    // Unlimited or soft windows always pass the fast path, so the window changed under us (reset, upgrade): retry.
    if (w.quota === null || w.overflow === "soft") continue;
    const remaining = remainingOf(w.quota, w.used)!;
    if (w.overflow === "block" || w.kind === "gauge") throw refusal(req.feature, units, remaining, state.balance, w.periodEnd);
    // A refusal may rest on this one-snapshot read; an acceptance is decided again under the locks.
    if (units.minus(remaining).gt(usableOf(state))) throw refusal(req.feature, units, remaining, state.balance, w.periodEnd);

    let slow: SlowResult | "retry" | "replay";
    try {
      slow = await extrasPath(db, req);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      slow = "replay";
    }
    if (slow === "retry") continue;
    if (slow === "replay") {
      const r = await replay(db, req.workspaceId, req.idempotencyKey, req.requestHash);
      if (r) return r;
      continue;
    }
    await afterCommit(db, opts, slow.notificationIds, slow.debited ? slow.account : null);
    return slow.answer;
  }
  throw new AppError("billing_unavailable", "Usage could not be recorded right now; retry with the same idempotency key.");
}

interface FastResult {
  answer: UsageAnswer | null;
  notificationIds: string[];
}

/**
 * The hot path, one statement: increments the active window (chosen by time, under its row lock, only if
 * the units fit or the window allows it), inserts the event with its answer, and the threshold marks and
 * notifications this increment crossed. A duplicate key aborts the whole statement (unique violation),
 * so the increment never outlives a rejected event.
 */
async function fastPath(db: Client, req: UsageRequest): Promise<FastResult> {
  const d = req.delta.toFixed();
  const fits = req.delta.gt(0)
    ? Prisma.sql`(w.quota IS NULL OR w.overflow = 'soft' OR w.used + ${d}::numeric <= w.quota)`
    : Prisma.sql`w.used + ${d}::numeric >= 0`;
  const thresholds = Prisma.join(THRESHOLDS.map((p) => Prisma.sql`(${p}::int)`));
  const iso = Prisma.sql`to_char(w."periodEnd", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const rows = await db.$queryRaw<{ response: UsageAnswer | null; notifications: string[] }[]>`
    WITH w AS (
      UPDATE "UsageWindow" AS w SET used = w.used + ${d}::numeric
      WHERE w."workspaceId" = ${req.workspaceId} AND w.feature = ${req.feature} AND w.kind = ${req.kind}::"EntitlementKind"
        AND w."periodStart" <= ${req.now} AND w."periodEnd" > ${req.now} AND ${fits}
        AND NOT EXISTS (SELECT 1 FROM "UsageEvent" e WHERE e."workspaceId" = ${req.workspaceId} AND e."idempotencyKey" = ${req.idempotencyKey})
      RETURNING w.id, w.quota, w.used, w."periodEnd"
    ), ev AS (
      INSERT INTO "UsageEvent" (id, "workspaceId", feature, "windowId", units, "quotaUnits", "extrasUnits", "idempotencyKey", "requestHash", response, metadata, "createdAt")
      SELECT ${crypto.randomUUID()}, ${req.workspaceId}, ${req.feature}, w.id, ${d}::numeric, ${d}::numeric, 0, ${req.idempotencyKey}, ${req.requestHash},
        jsonb_build_object(
          'allowed', true,
          'feature', ${req.feature}::text,
          'units', ${formatUnits(req.delta.abs())}::text,
          'remaining', CASE WHEN w.quota IS NULL THEN NULL ELSE trim_scale(GREATEST(w.quota - w.used, 0))::text END,
          'extrasRemaining', COALESCE((SELECT trim_scale(a.balance)::text FROM "ExtrasAccount" a WHERE a."workspaceId" = ${req.workspaceId}), '0'),
          'resetsAt', CASE WHEN w."periodEnd" >= ${LIFETIME_END} THEN NULL ELSE ${iso} END
        ),
        ${req.metadataJson}::jsonb, ${req.now}
      FROM w
      RETURNING response
    ), m AS (
      INSERT INTO "ThresholdMark" (id, "workspaceId", "windowId", feature, percent, "createdAt")
      SELECT gen_random_uuid()::text, ${req.workspaceId}, w.id, ${req.feature}, p.pct, ${req.now}
      FROM w CROSS JOIN (VALUES ${thresholds}) AS p(pct)
      WHERE ${req.kind === "meter" ? Prisma.sql`true` : Prisma.sql`false`} AND w.quota > 0 AND (w.used - ${d}::numeric) * 100 < w.quota * p.pct AND w.used * 100 >= w.quota * p.pct
      ON CONFLICT DO NOTHING
      RETURNING "windowId", percent
    ), n AS (
      INSERT INTO "Notification" (id, "workspaceId", kind, subject, body, "dedupeKey", status, "createdAt")
      SELECT gen_random_uuid()::text, ${req.workspaceId}, 'threshold',
        format('%s usage reached %s%% of its quota', ${req.feature}::text, m.percent),
        format('Your workspace has used %s%% of its %s quota for the current window. ', m.percent, ${req.feature}::text)
          || CASE WHEN w."periodEnd" >= ${LIFETIME_END} THEN 'This quota does not reset.' ELSE 'The quota resets at ' || ${iso} || '.' END,
        'threshold:' || m."windowId" || ':' || m.percent, 'pending', ${req.now}
      FROM m CROSS JOIN w
      ON CONFLICT DO NOTHING
      RETURNING id
    )
    SELECT (SELECT response FROM ev) AS response, ARRAY(SELECT id FROM n) AS notifications`;
  const row = rows[0];
  return { answer: row?.response ? answerOf(row.response) : null, notificationIds: row?.notifications ?? [] };
}

interface SlowResult {
  answer: UsageAnswer;
  notificationIds: string[];
  debited: boolean;
  account: LockedAccount;
}

/**
 * Past the quota of an extras window: one short transaction locks the window, then the extras account
 * (the ledger's lock order), splits the units between what is left of the quota and the lots
 * (soonest-expiring first, one debit entry per lot), and writes the event, entries and marks together.
 */
async function extrasPath(db: Client, req: UsageRequest): Promise<SlowResult | "retry" | "replay"> {
  const units = req.delta;
  return inTransaction(db, async (tx) => {
    const w = await activeWindow(tx, req.workspaceId, req.feature, req.now, true);
    if (!w || w.kind !== "meter" || w.overflow !== "extras" || w.quota === null) return "retry";
    const dup = await tx.usageEvent.findUnique({
      where: { workspaceId_idempotencyKey: { workspaceId: req.workspaceId, idempotencyKey: req.idempotencyKey } },
      select: { id: true },
    });
    if (dup) return "replay";
    const quota = toDec(w.quota);
    const used = toDec(w.used);
    const quotaPart = minDec(units, maxDec(quota.minus(used), ZERO));
    const extrasPart = units.minus(quotaPart);
    const account = await lockExtrasAccount(tx, req.workspaceId);
    const eventId = crypto.randomUUID();
    let drafts: ReturnType<typeof planDebit> = [];
    if (extrasPart.gt(0)) {
      const lots = await spendableLots(tx, req.workspaceId, req.now);
      if (extrasPart.gt(usableExtras(account.balance, lots))) {
        throw refusal(req.feature, units, quota.minus(used), account.balance, w.periodEnd);
      }
      drafts = planDebit(lots, extrasPart, "debit", "usage_event", eventId);
    }
    if (quotaPart.gt(0)) {
      await tx.$executeRaw`UPDATE "UsageWindow" SET used = used + ${quotaPart.toFixed()}::numeric WHERE id = ${w.id}`;
    }
    const resetsAt = resetsAtOf(w.periodEnd);
    const answer: UsageAnswer = {
      allowed: true,
      feature: req.feature,
      units: formatUnits(units),
      remaining: formatUnits(maxDec(quota.minus(used).minus(quotaPart), ZERO)),
      extrasRemaining: formatUnits(account.balance.minus(extrasPart)),
      resetsAt,
    };
    await tx.usageEvent.create({
      data: {
        id: eventId,
        workspaceId: req.workspaceId,
        feature: req.feature,
        windowId: w.id,
        units: units.toFixed(),
        quotaUnits: quotaPart.toFixed(),
        extrasUnits: extrasPart.toFixed(),
        idempotencyKey: req.idempotencyKey,
        requestHash: req.requestHash,
        response: answer as unknown as Prisma.InputJsonObject,
        metadata: req.metadataJson === null ? Prisma.DbNull : (JSON.parse(req.metadataJson) as Prisma.InputJsonValue),
        createdAt: req.now,
      },
    });
    await appendEntries(tx, account, drafts, req.now);
    const notificationIds = await insertThresholdMarks(tx, {
      workspaceId: req.workspaceId,
      windowId: w.id,
      feature: req.feature,
      percents: crossedThresholds(used, used.plus(quotaPart), quota),
      resetsAt,
      now: req.now,
    });
    return { answer, notificationIds, debited: drafts.length > 0, account };
  });
}

/** After commit: send threshold notifications and, after a debit under the threshold, start an auto top-up. */
async function afterCommit(db: Client, opts: MeteringOptions, notificationIds: string[], debitedAccount: LockedAccount | null): Promise<void> {
  const tasks: Promise<unknown>[] = [];
  if (notificationIds.length) tasks.push(deliverNotifications(db, notificationIds, opts.notifier));
  const a = debitedAccount;
  if (a?.autoTopUpEnabled && a.autoTopUpThreshold && a.balance.lt(a.autoTopUpThreshold)) {
    tasks.push(maybeAutoTopUp(db, { workspaceId: a.workspaceId, port: opts.payments }));
  }
  if (!tasks.length) return;
  const settled = Promise.allSettled(tasks).then((results) => {
    for (const r of results) if (r.status === "rejected") console.error("[billing] after-commit task failed:", r.reason);
  });
  if (opts.waitForSideEffects) await settled;
}
