import type { PrismaClient } from "@/lib/generated/prisma/client";
import { deliverNotifications, recordUsage, type UsageAnswer } from "@/lib/billing";
import { unitsFromCosts } from "@/lib/billing/record-usage";
import { isUniqueViolation } from "@/lib/billing/db-errors";
import { hotTransaction, type SqlRunner } from "@/lib/billing/pg-pool";
import { crossedThresholds, insertThresholdMarks } from "@/lib/billing/thresholds";
import { ZERO, formatUnits, maxDec, toDec, type Dec } from "@/lib/billing/units";
import { refusal, resetsAtOf, usableOf } from "@/lib/billing/usage-state";
import type { Overflow } from "@/lib/generated/prisma/enums";
import { parseRecordInput, type ParsedRecord } from "@/lib/billing/validation";
import { openWindow } from "@/lib/billing/windows";
import { AppError, isAppError } from "@/lib/errors";
import type { BatchEvent } from "./schemas";

export type EventOutcome = { ok: true; answer: UsageAnswer } | { ok: false; error: AppError };

const MAX_ATTEMPTS = 4;

/**
 * Records a batch of usage events, each on its own (per-event results, never all-or-nothing): every
 * event is accepted, refused or replayed exactly as POST /api/v1/usage would answer it alone, in order.
 *
 * Speed without a second metering model: the events of one feature that fit the window (its quota, or
 * any amount when it is unlimited or soft) are written in one short transaction — the window row is
 * locked, the events inserted in one statement, the counter raised once by their sum, the thresholds
 * crossed marked — the same rows the engine's hot path writes one event at a time. A window that
 * blocks refuses the rest under that lock. From the first event that needs the extras ledger (overflow
 * paid from lots), that feature's remaining events go through recordUsage one by one, in order, which
 * decides them exactly; so do gauges. Costs are priced with the engine's own pricing first.
 */
export async function recordUsageBatch(db: PrismaClient, workspaceId: string, events: BatchEvent[], now = new Date()): Promise<EventOutcome[]> {
  const outcomes: (EventOutcome | undefined)[] = new Array(events.length);
  const parsed: (ParsedRecord | undefined)[] = new Array(events.length);
  const firstByKey = new Map<string, number>();
  const duplicates: number[] = [];
  const byFeature = new Map<string, number[]>();
  const oneByOne: number[] = [];

  const units: (Dec | undefined)[] = new Array(events.length);
  for (const [i, e] of events.entries()) {
    try {
      const p = parseRecordInput({ workspaceId, feature: e.feature, units: e.units, costs: e.costs, idempotencyKey: e.idempotencyKey, metadata: e.metadata, now });
      parsed[i] = p;
      // A key repeated inside the batch is a replay of its first use, answered once that one is decided.
      if (firstByKey.has(p.idempotencyKey)) {
        duplicates.push(i);
        continue;
      }
      firstByKey.set(p.idempotencyKey, i);
      // Costs are priced now so they queue with their feature's other events in request order; one the
      // pricing refuses goes to the engine, which replays it if the key was already used, or refuses it alike.
      const n = p.units ?? (await unitsFromCosts(db, workspaceId, p.costs!).then((r) => r.units, () => null));
      if (n === null) {
        oneByOne.push(i);
        continue;
      }
      units[i] = n;
      const group = byFeature.get(p.feature);
      if (group) group.push(i);
      else byFeature.set(p.feature, [i]);
    } catch (err) {
      outcomes[i] = failure(err);
    }
  }

  for (const [feature, indexes] of byFeature) {
    oneByOne.push(...(await meterGroup(db, workspaceId, feature, indexes, parsed as ParsedRecord[], units as Dec[], outcomes, now)));
  }
  oneByOne.sort((a, b) => a - b);
  for (const i of oneByOne) {
    const e = events[i]!;
    try {
      const answer = await recordUsage(db, { workspaceId, feature: e.feature, units: e.units, costs: e.costs, idempotencyKey: e.idempotencyKey, metadata: e.metadata, now });
      outcomes[i] = { ok: true, answer };
    } catch (err) {
      outcomes[i] = failure(err);
    }
  }
  for (const i of duplicates) {
    const p = parsed[i]!;
    const first = firstByKey.get(p.idempotencyKey)!;
    outcomes[i] = parsed[first]!.requestHash === p.requestHash ? outcomes[first] : { ok: false, error: conflict(p.idempotencyKey) };
  }
  return outcomes.map((o) => o ?? { ok: false, error: new AppError("billing_unavailable", "This event could not be recorded; retry it with the same idempotency key.") });
}

function failure(err: unknown): EventOutcome {
  if (isAppError(err)) return { ok: false, error: err };
  throw err;
}

const conflict = (idempotencyKey: string) =>
  new AppError("idempotency_conflict", "This idempotency key was already used with a different request.", { idempotencyKey });

interface Accepted {
  index: number;
  units: Dec;
  answer: UsageAnswer;
}

/**
 * One feature's events that carry units: decides them under the window's lock and writes the accepted
 * ones together. Returns the indexes left for recordUsage (overflow that extras may pay for, gauges).
 */
async function meterGroup(
  db: PrismaClient,
  workspaceId: string,
  feature: string,
  indexes: number[],
  parsed: ParsedRecord[],
  units: Dec[],
  outcomes: (EventOutcome | undefined)[],
  now: Date,
): Promise<number[]> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let step: Awaited<ReturnType<typeof decideAndWrite>>;
    try {
      step = await hotTransaction(db, (sql) => decideAndWrite(sql, workspaceId, feature, indexes, parsed, units, now));
    } catch (e) {
      // A concurrent request took one of these keys after we looked: everything rolled back, look again.
      if (isUniqueViolation(e)) continue;
      throw e;
    }
    if (step === "open") {
      try {
        await openWindow(db, workspaceId, feature, now);
      } catch (e) {
        // An unknown feature fails every event of the group the same way.
        const f = failure(e);
        for (const i of indexes) outcomes[i] = f;
        return [];
      }
      continue;
    }
    if (step === "engine") return indexes;
    for (const [i, o] of step.decided) outcomes[i] = o;
    if (step.notificationIds.length) {
      void deliverNotifications(db, step.notificationIds).catch((e) => console.error("[api] threshold notifications failed:", e));
    }
    return step.deferred;
  }
  // Lost every race for these keys: let the engine sort each one out.
  return indexes;
}

interface LockedWindow {
  id: string;
  kind: string;
  quota: string | null;
  used: string;
  overflow: Overflow;
  /** ISO 8601 (read as text: pg would parse the column in the process's time zone). */
  periodEnd: string;
  balance: string | null;
  spendable: string;
  existing: { idempotencyKey: string; requestHash: string; response: UsageAnswer }[] | null;
}

async function decideAndWrite(sql: SqlRunner, workspaceId: string, feature: string, indexes: number[], parsed: ParsedRecord[], units: Dec[], now: Date) {
  const keys = indexes.map((i) => parsed[i]!.idempotencyKey);
  // One round trip: the window, locked for the batch, with the extras and the events already under these keys.
  const [w] = await sql<LockedWindow>(
    "batch_lock_window",
    `SELECT w.id, w.kind::text AS kind, w.quota::text AS quota, w.used::text AS used, w.overflow::text AS overflow,
       to_char(w."periodEnd", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "periodEnd",
       (SELECT a.balance::text FROM "ExtrasAccount" a WHERE a."workspaceId" = w."workspaceId") AS balance,
       (SELECT COALESCE(sum(l.remaining), 0)::text FROM "ExtrasLot" l
         WHERE l."workspaceId" = w."workspaceId" AND l.remaining > 0 AND l."expiredAt" IS NULL
           AND (l."expiresAt" IS NULL OR l."expiresAt" > $3::timestamp(3))) AS spendable,
       (SELECT json_agg(json_build_object('idempotencyKey', e."idempotencyKey", 'requestHash', e."requestHash", 'response', e.response))
         FROM "UsageEvent" e WHERE e."workspaceId" = w."workspaceId" AND e."idempotencyKey" = ANY($4::text[])) AS existing
     FROM "UsageWindow" w
     WHERE w."workspaceId" = $1 AND w.feature = $2 AND w."periodStart" <= $3::timestamp(3) AND w."periodEnd" > $3::timestamp(3)
     FOR UPDATE OF w`,
    [workspaceId, feature, now.toISOString(), keys],
  );
  if (!w) return "open" as const;
  if (w.kind !== "meter") return "engine" as const;
  const state = { balance: toDec(w.balance ?? "0"), spendable: toDec(w.spendable) };
  const existingRows = w.existing ?? [];
  const existing = new Map(existingRows.map((r) => [r.idempotencyKey, r]));
  const quota = w.quota === null ? null : toDec(w.quota);
  const before = toDec(w.used);
  const usable = usableOf(state);
  const periodEnd = new Date(w.periodEnd);
  const resetsAt = resetsAtOf(periodEnd);
  const extrasRemaining = formatUnits(state.balance);
  const decided = new Map<number, EventOutcome>();
  const deferred: number[] = [];
  const accepted: Accepted[] = [];
  let used = before;

  for (const i of indexes) {
    const p = parsed[i]!;
    const prior = existing.get(p.idempotencyKey);
    if (prior) {
      decided.set(i, prior.requestHash === p.requestHash ? { ok: true, answer: answerOf(prior.response) } : { ok: false, error: conflict(p.idempotencyKey) });
      continue;
    }
    // Once one event is left to the engine, the rest follow it there, so the feature's events stay in order.
    if (deferred.length) {
      deferred.push(i);
      continue;
    }
    const n = units[i]!;
    if (quota === null || w.overflow === "soft" || used.plus(n).lte(quota)) {
      used = used.plus(n);
      const answer: UsageAnswer = {
        allowed: true,
        feature,
        units: formatUnits(n),
        remaining: quota === null ? null : formatUnits(maxDec(quota.minus(used), ZERO)),
        extrasRemaining,
        resetsAt,
      };
      accepted.push({ index: i, units: n, answer });
      decided.set(i, { ok: true, answer });
      continue;
    }
    const remaining = maxDec(quota.minus(used), ZERO);
    // Refusing on this snapshot is safe (extras only shrink under us); accepting from extras is the engine's call.
    if (w.overflow === "extras" && n.minus(remaining).lte(usable)) deferred.push(i);
    else decided.set(i, { ok: false, error: refusal(feature, n, remaining, state.balance, periodEnd) });
  }

  let notificationIds: string[] = [];
  if (accepted.length) {
    // The accepted events go as one JSON array (cheaper to send than five text arrays a driver escapes
    // element by element); the stored answer and metadata ride in it as JSON, not as strings.
    const rows = accepted.map((a) => {
      const p = parsed[a.index]!;
      return `{"units":"${a.units.toFixed()}","key":${JSON.stringify(p.idempotencyKey)},"hash":"${p.requestHash}","response":${JSON.stringify(a.answer)},"metadata":${p.metadataJson ?? "null"}}`;
    });
    // One round trip: the events, and the counter raised by their sum (a data-modifying WITH always runs).
    await sql(
      "batch_write_events",
      `WITH events AS (
         INSERT INTO "UsageEvent" (id, "workspaceId", feature, "windowId", units, "quotaUnits", "extrasUnits", "idempotencyKey", "requestHash", response, metadata, "createdAt")
         SELECT gen_random_uuid()::text, $1, $2, $3, t.units, t.units, 0, t.key, t.hash, t.response, t.metadata, $4::timestamp(3)
         FROM json_to_recordset($5::json) AS t(units numeric, key text, hash text, response jsonb, metadata jsonb)
       )
       UPDATE "UsageWindow" SET used = used + $6::numeric WHERE id = $3`,
      [workspaceId, feature, w.id, now.toISOString(), `[${rows.join(",")}]`, used.minus(before).toFixed()],
    );
    notificationIds = await insertThresholdMarks(sql, { workspaceId, windowId: w.id, feature, percents: crossedThresholds(before, used, quota), resetsAt, now });
  }
  return { decided, deferred, notificationIds };
}

/** A stored answer with its fields in the engine's order (jsonb sorts keys). */
function answerOf(r: UsageAnswer): UsageAnswer {
  return { allowed: r.allowed, feature: r.feature, units: r.units, remaining: r.remaining, extrasRemaining: r.extrasRemaining, resetsAt: r.resetsAt };
}
