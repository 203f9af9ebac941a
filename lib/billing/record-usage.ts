import { Prisma } from "@/lib/generated/prisma/client";
import type { EntitlementKind, Overflow } from "@/lib/generated/prisma/enums";
import { AppError, isAppError } from "@/lib/errors";
import { maybeAutoTopUp, type PaymentsPort } from "./auto-top-up";
import { inTransaction, isTransaction, type Client } from "./client";
import { costsToDollars, costsToUnits, priceKey, ratiosOf, type Costs, type PriceTable } from "./costs";
import { isUniqueViolation } from "./db-errors";
import { appendEntries, lockExtrasAccount, planDebit, spendableLots, usableExtras, type LockedAccount } from "./extras-ledger";
import { deliverNotifications, type Notifier } from "./notify";
import { LIFETIME_END } from "./periods";
import { THRESHOLDS, crossedThresholds, insertThresholdMarks } from "./thresholds";
import { ZERO, formatUnits, maxDec, minDec, toDec, type Dec } from "./units";
import { readUsageState, refusal, remainingOf, resetsAtOf, usableOf, type UsageAnswer, type UsageState } from "./usage-state";
import type { Lane } from "./coalesce";
import { runnerOf } from "./pg-pool";
import { joinInFlight, oneAtATime } from "./local-queue";
import { resolveWorkspace, workspaceQuery, type WorkspaceRef } from "./workspace-scope";
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
export interface UsageRequest<W extends WorkspaceRef = WorkspaceRef> {
  /** A scope is resolved by the first statement; from there on the request carries the id. */
  workspaceId: W;
  feature: string;
  kind: EntitlementKind;
  delta: Dec;
  idempotencyKey: string;
  requestHash: string;
  metadataJson: string | null;
  /** For usage sent as costs: {dollars, tokens} that priced it, stored on the event. */
  costJson?: string | null;
  now: Date;
}

/**
 * Records usage of a metered feature (see index.ts for the contract). The common path is one SQL
 * statement; past the quota, overflow decides: block refuses, soft accepts, extras debits lots.
 */
export async function recordUsage(db: Client, input: RecordUsageInput, opts: MeteringOptions = {}): Promise<UsageAnswer> {
  const p = parseRecordInput(input);
  let workspace = p.workspaceId;
  let units = p.units;
  let costJson: string | null = null;
  if (!units) {
    try {
      ({ workspaceId: workspace, units, costJson } = await unitsFromCosts(db, workspace, p.costs!, p.now));
    } catch (e) {
      // A replay answers as the first time even if its model has left the price table since.
      if (!isAppError(e) || e.code !== "invalid_request") throw e;
      const earlier = await replay(db, await resolveWorkspace(db, workspace), p.idempotencyKey, p.requestHash);
      if (earlier) return earlier;
      throw e;
    }
  }
  // A replay of costs whose prices changed meanwhile still returns the first answer: the payload hash
  // covers the costs as sent, not the units they come to today.
  return applyUsage(db, { ...p, workspaceId: workspace, kind: "meter", delta: units, costJson }, opts);
}

/**
 * Units of a run's costs with the workspace's plan version's ratios and the model prices in effect at `at`
 * (one query), and what priced them as JSON for the event: {dollars, tokens: [{..., priceId}]}.
 */
export async function unitsFromCosts(db: Client, workspace: WorkspaceRef, costs: Costs, at: Date): Promise<{ workspaceId: string; units: Dec; costJson: string }> {
  const models = costs.tokens ?? [];
  const { workspaceId, rows } = await workspaceQuery<CostContextRow>(db, workspace, "tally_cost_context", COST_CONTEXT_SQL, [
    models.map((t) => t.provider),
    models.map((t) => t.model),
    at.toISOString(),
  ]);
  const row = rows[0];
  if (!row) throw new AppError("not_found", "Workspace not found.", { workspaceId });
  const prices: PriceTable = new Map();
  const priceIds = new Map<string, string>();
  for (const r of row.prices ?? []) {
    prices.set(priceKey(r.provider, r.model), { input: toDec(r.input), output: toDec(r.output) });
    priceIds.set(priceKey(r.provider, r.model), r.id);
  }
  const ratios = ratiosOf({
    runBaseUnits: toDec(row.runBaseUnits),
    dollarsToUnits: toDec(row.dollarsToUnits),
    maxUnitsPerRun: row.maxUnitsPerRun === null ? null : toDec(row.maxUnitsPerRun),
    actionWeights: typeof row.actionWeights === "string" ? JSON.parse(row.actionWeights) : row.actionWeights,
  });
  const units = costsToUnits(costs, ratios, prices);
  const tokens = models.map((t) => ({ provider: t.provider, model: t.model, input: t.input, output: t.output, priceId: priceIds.get(priceKey(t.provider, t.model)) }));
  return { workspaceId, units, costJson: JSON.stringify({ dollars: costsToDollars(costs, prices).toFixed(), tokens }) };
}

interface CostContextRow {
  runBaseUnits: string;
  dollarsToUnits: string;
  maxUnitsPerRun: string | null;
  actionWeights: string | Record<string, string>;
  prices: { id: string; provider: string; model: string; input: string; output: string }[] | null;
}

// Each model's price is the version in effect when the usage happened ($4): the latest effectiveFrom at or before it.
const COST_CONTEXT_SQL = `
  SELECT p."runBaseUnits"::text AS "runBaseUnits", p."dollarsToUnits"::text AS "dollarsToUnits",
         p."maxUnitsPerRun"::text AS "maxUnitsPerRun", p."actionWeights"::text AS "actionWeights",
         (SELECT json_agg(json_build_object('id', m.id, 'provider', m.provider, 'model', m.model,
                   'input', m."inputDollarsPerMillion"::text, 'output', m."outputDollarsPerMillion"::text))
            FROM unnest($2::text[], $3::text[]) AS want(provider, model)
            CROSS JOIN LATERAL (SELECT * FROM "ModelPrice" v WHERE v.provider = want.provider AND v.model = want.model
                                  AND v."effectiveFrom" <= $4::timestamp(3) ORDER BY v."effectiveFrom" DESC LIMIT 1) m) AS prices
  FROM "Subscription" s JOIN "Plan" p ON p.id = s."planId"
  WHERE s."workspaceId" = $1`;

/** The first answer for this key, or null when the key is new. 409 when the key came with another payload. */
export async function replay(db: Client, workspaceId: string, idempotencyKey: string, requestHash: string): Promise<UsageAnswer | null> {
  const ev = await db.usageEvent.findUnique({
    where: { workspaceId_idempotencyKey: { workspaceId, idempotencyKey } },
    select: { requestHash: true, response: true },
  });
  return ev ? answerFor({ requestHash: ev.requestHash, response: ev.response as unknown as UsageAnswer }, idempotencyKey, requestHash) : null;
}

function answerFor(existing: { requestHash: string; response: UsageAnswer }, idempotencyKey: string, requestHash: string): UsageAnswer {
  if (existing.requestHash !== requestHash) {
    throw new AppError("idempotency_conflict", "This idempotency key was already used with a different request.", { idempotencyKey });
  }
  return answerOf(existing.response);
}

/** The stored answer with its fields in one order (jsonb sorts keys), so every path serialises alike. */
function answerOf(r: UsageAnswer): UsageAnswer {
  return { allowed: r.allowed, feature: r.feature, units: r.units, remaining: r.remaining, extrasRemaining: r.extrasRemaining, resetsAt: r.resetsAt };
}

function openWindowOnce(db: Client, workspaceId: string, feature: string, now: Date): Promise<void> {
  // A transaction must see its own opening; across transactions the first event of a period often comes as a burst.
  if (isTransaction(db)) return openWindow(db, workspaceId, feature, now);
  return joinInFlight(windowKey({ workspaceId, feature }), () => openWindow(db, workspaceId, feature, now));
}

/**
 * Inside a caller's transaction a duplicate key must not abort the caller's work: the statement runs
 * under a savepoint that is rolled back on error, so the replay can still be read.
 */
async function inSavepoint<T>(tx: Client, fn: () => Promise<T>): Promise<T> {
  await tx.$executeRawUnsafe("SAVEPOINT tally_record_usage");
  try {
    const r = await fn();
    await tx.$executeRawUnsafe("RELEASE SAVEPOINT tally_record_usage");
    return r;
  } catch (e) {
    await tx.$executeRawUnsafe("ROLLBACK TO SAVEPOINT tally_record_usage");
    throw e;
  }
}

/**
 * Recordings of one window share round trips (see coalesce.ts). One statement in flight per window: its row
 * lock serialises them anyway, so the recordings that arrive meanwhile go together in the next one, and a
 * burst on one workspace holds one pooled connection, leaving the rest to other windows.
 */
const windowLane = (req: { workspaceId: WorkspaceRef; feature: string }): Lane => ({ key: windowKey(req), inFlight: 1, maxBatch: 64 });
// Until a scope is resolved its key stands for the workspace (an API key names one workspace).
const windowKey = (req: { workspaceId: WorkspaceRef; feature: string }) =>
  typeof req.workspaceId === "string" ? `${req.workspaceId}\u0000${req.feature}` : `scope\u0000${req.workspaceId.key}\u0000${req.feature}`;

// Opening a window, or losing a race with a reset or an upgrade, costs a retry; more than a few means trouble.
const MAX_ATTEMPTS = 6;

export async function applyUsage(db: Client, request: UsageRequest, opts: MeteringOptions): Promise<UsageAnswer> {
  const units = request.delta.abs();
  let workspace = request.workspaceId;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let fast: FastResult;
    const attemptReq = { ...request, workspaceId: workspace };
    try {
      fast = isTransaction(db) ? await inSavepoint(db, () => fastPath(db, attemptReq)) : await fastPath(db, attemptReq);
    } catch (e) {
      // The key was taken by a concurrent request between our check and our insert; the statement rolled back whole.
      if (!isUniqueViolation(e)) throw e;
      const earlier = await replay(db, await resolveWorkspace(db, workspace), request.idempotencyKey, request.requestHash);
      if (earlier) return earlier;
      continue;
    }
    // From here on the workspace is known by its id.
    const req: UsageRequest<string> = { ...request, workspaceId: (workspace = fast.workspaceId) };
    if (fast.answer) {
      await afterCommit(db, opts, fast.notificationIds, null, req.now);
      return fast.answer;
    }

    // Nothing changed: a replay, no window yet, or not enough quota; the same round trip said which.
    const state = fast.state!;
    if (state.existing) return answerFor(state.existing, req.idempotencyKey, req.requestHash);
    const w = state.window;
    if (!w) {
      await openWindowOnce(db, req.workspaceId, req.feature, req.now);
      continue;
    }
    if (w.kind !== req.kind) {
      throw new AppError(
        "invalid_request",
        w.kind === "gauge" ? `${req.feature} is a gauge: claim and release it instead.` : `${req.feature} is metered: record usage instead.`,
        { field: "feature", feature: req.feature },
      );
    }
    // The statement's snapshot and this fresh one can differ: a reset may have ended the window it saw and
    // another request opened the next, or an upgrade raised the quota. When the units fit what we see now,
    // the refusal was not about quota: try again.
    if (req.delta.lt(0)) {
      if (w.used.gte(units)) continue;
      throw new AppError("invalid_request", `Cannot release ${formatUnits(units)} ${req.feature}: only ${formatUnits(w.used)} in use.`, { field: "units" });
    }
    if (w.quota === null || w.overflow === "soft") continue;
    const remaining = remainingOf(w.quota, w.used)!;
    if (units.lte(remaining)) continue;
    if (w.overflow === "block" || w.kind === "gauge") throw refusal(req.feature, units, remaining, state.balance, w.periodEnd);
    // A refusal may rest on this one-snapshot read; an acceptance is decided again under the locks.
    if (units.minus(remaining).gt(usableOf(state))) throw refusal(req.feature, units, remaining, state.balance, w.periodEnd);

    let slow: SlowResult | "retry" | "replay";
    try {
      slow = isTransaction(db)
        ? await extrasPath(db, req)
        : await oneAtATime(windowKey(req), async () => {
            // Queued behind others: what they spent may already make this a refusal, which needs no transaction.
            const fresh = await readUsageState(db, req.workspaceId, req.feature, req.now, req.idempotencyKey);
            if (fresh.existing) return "replay" as const;
            const fw = fresh.window;
            if (!fw || fw.quota === null || fw.overflow !== "extras") return "retry" as const;
            const left = remainingOf(fw.quota, fw.used)!;
            if (units.minus(left).gt(usableOf(fresh))) throw refusal(req.feature, units, left, fresh.balance, fw.periodEnd);
            return extrasPath(db, req);
          });
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
    await afterCommit(db, opts, slow.notificationIds, slow.debited ? slow.account : null, req.now);
    return slow.answer;
  }
  throw new AppError("billing_unavailable", "Usage could not be recorded right now; retry with the same idempotency key.");
}

interface FastResult {
  workspaceId: string;
  answer: UsageAnswer | null;
  notificationIds: string[];
  /** Why nothing changed, when nothing did. */
  state: UsageState | null;
}

async function fastPath(db: Client, req: UsageRequest): Promise<FastResult> {
  const args = [
    req.feature, req.kind, req.delta.toFixed(), formatUnits(req.delta.abs()), req.idempotencyKey, req.requestHash,
    req.metadataJson, req.now.toISOString(), crypto.randomUUID(), THRESHOLD_LIST, LIFETIME_END_TEXT, req.costJson ?? null,
  ];
  const { workspaceId, rows } = await workspaceQuery<FastRow>(db, req.workspaceId, "tally_record_usage", FAST_SQL, args, windowLane(req));
  const row = rows[0];
  if (!row) throw new AppError("billing_unavailable", "The metering statement returned nothing.");
  if (row.response) {
    return {
      workspaceId,
      answer: answerOf(JSON.parse(row.response) as UsageAnswer),
      notificationIds: row.notifications ? row.notifications.split(",") : [],
      state: null,
    };
  }
  const state: UsageState = {
    window: row.window_id
      ? {
          id: row.window_id,
          kind: row.window_kind as EntitlementKind,
          period: null,
          quota: row.window_quota === null ? null : toDec(row.window_quota),
          used: toDec(row.window_used ?? "0"),
          overflow: row.window_overflow as Overflow,
          periodEnd: new Date(`${row.window_end}Z`),
        }
      : null,
    balance: toDec(row.balance ?? "0"),
    spendable: toDec(row.spendable ?? "0"),
    existing: row.existing_hash ? { requestHash: row.existing_hash, response: JSON.parse(row.existing_response!) as UsageAnswer } : null,
  };
  return { workspaceId, answer: null, notificationIds: [], state };
}

interface FastRow {
  response: string | null;
  notifications: string;
  window_id: string | null;
  window_kind: string | null;
  window_quota: string | null;
  window_used: string | null;
  window_overflow: string | null;
  window_end: string | null;
  balance: string | null;
  spendable: string | null;
  existing_hash: string | null;
  existing_response: string | null;
}

// Every column as text: exact decimals, and timestamps read the same through Prisma and through pg.
const FAST_SQL = `
  SELECT response::text AS response, array_to_string(notification_ids, ',') AS notifications,
         window_id, window_kind, window_quota, window_used, window_overflow,
         to_char(window_end, 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS window_end,
         balance, spendable, existing_hash, existing_response::text AS existing_response
  FROM tally_record_usage($1, $2, $3::"EntitlementKind", $4::numeric, $5, $6, $7, $8::jsonb, $9::timestamp(3), $10, $11::int[], $12::timestamp(3), $13::jsonb)`;
const THRESHOLD_LIST = `{${THRESHOLDS.join(",")}}`;
const LIFETIME_END_TEXT = LIFETIME_END.toISOString();

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
async function extrasPath(db: Client, req: UsageRequest<string>): Promise<SlowResult | "retry" | "replay"> {
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
        ...costColumns(req.costJson),
        createdAt: req.now,
      },
    });
    await appendEntries(tx, account, drafts, req.now);
    const notificationIds = await insertThresholdMarks(runnerOf(tx), {
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
async function afterCommit(db: Client, opts: MeteringOptions, notificationIds: string[], debitedAccount: LockedAccount | null, now: Date): Promise<void> {
  const tasks: Promise<unknown>[] = [];
  if (notificationIds.length) tasks.push(deliverNotifications(db, notificationIds, opts.notifier));
  const a = debitedAccount;
  if (a?.autoTopUpEnabled && a.autoTopUpThreshold && a.balance.lt(a.autoTopUpThreshold)) {
    tasks.push(maybeAutoTopUp(db, { workspaceId: a.workspaceId, port: opts.payments, now }));
  }
  if (!tasks.length) return;
  const settled = Promise.allSettled(tasks).then((results) => {
    for (const r of results) if (r.status === "rejected") console.error("[billing] after-commit task failed:", r.reason);
  });
  if (opts.waitForSideEffects) await settled;
}

/** The event's cost columns from the priced costs' JSON (nothing for usage sent as units). */
function costColumns(costJson: string | null | undefined): { costDollars?: string; costTokens?: Prisma.InputJsonValue } {
  if (!costJson) return {};
  const cost = JSON.parse(costJson) as { dollars: string; tokens: Prisma.InputJsonValue };
  return { costDollars: cost.dollars, costTokens: cost.tokens };
}
