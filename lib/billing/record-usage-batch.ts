import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { EntitlementKind, Overflow } from "@/lib/generated/prisma/enums";
import { AppError, isAppError } from "@/lib/errors";
import type { CostsInput } from "./costs";
import { isRetryableConflict, isUniqueViolation } from "./db-errors";
import { deliverNotifications } from "./notify";
import { hotTransaction, type SqlRunner } from "./pg-pool";
import { recordUsage, unitsFromCosts, type MeteringOptions } from "./record-usage";
import { crossedThresholds, insertThresholdMarks } from "./thresholds";
import { formatUnits, toDec, type Dec } from "./units";
import { refusal, remainingOf, resetsAtOf, type UsageAnswer } from "./usage-state";
import { parseRecordInput, type ParsedRecord } from "./validation";
import { openWindow } from "./windows";

/** One event of a batch: what recordUsage takes, less the workspace and the time, which the batch gives. */
export interface BatchEventInput {
  feature: string;
  units?: number | string;
  costs?: CostsInput;
  idempotencyKey: string;
  metadata?: Record<string, unknown>;
}

export type BatchOutcome = { ok: true; answer: UsageAnswer } | { ok: false; error: AppError };

// Losing a race for a key or a deadlock rolls a run back whole; after a few, its first event goes alone.
const MAX_ATTEMPTS = 4;

/**
 * Records a batch of usage events (each on its own: per-event results, never all-or-nothing). The
 * outcomes, and what is written, are exactly those of recording the events one by one in request order
 * with recordUsage at the batch's time: every event sees every earlier one, whatever its feature.
 *
 * Speed without a second metering model: the events are taken in order in runs. A run is one short
 * transaction that locks the windows of the batch's features (in feature order, so two batches cannot
 * deadlock), decides its events on the counters it holds, and writes the accepted ones together: the
 * events in one statement, each window raised once by its sum, the thresholds crossed marked. A run ends
 * at the first event it cannot decide on those counters alone: overflow that the extras ledger may pay
 * (which changes the extras balance every later answer reports), a gauge, a feature without a window,
 * or costs the pricing refused. That event goes through recordUsage, which decides it exactly, and the
 * next run starts after it. A batch whose events fit their quotas is one run: one transaction.
 */
export async function recordUsageBatch(
  db: PrismaClient,
  input: { workspaceId: string; events: BatchEventInput[]; now?: Date },
  opts: MeteringOptions = {},
): Promise<BatchOutcome[]> {
  const { workspaceId, events } = input;
  const now = input.now ?? new Date();
  const outcomes: (BatchOutcome | undefined)[] = new Array(events.length);
  const parsed: (ParsedRecord | undefined)[] = new Array(events.length);
  // Units per event; null sends the event to recordUsage (costs the pricing refused, decided there with replays).
  const units: (Dec | null)[] = new Array(events.length).fill(null);
  for (const [i, e] of events.entries()) {
    try {
      const p = parseRecordInput(recordInput(workspaceId, e, now));
      parsed[i] = p;
      if (p.units) units[i] = p.units;
      else ({ units: units[i], costJson: p.costJson } = await unitsFromCosts(db, workspaceId, p.costs!, now));
    } catch (err) {
      // A malformed event is answered now (it reads nothing and writes nothing); a pricing refusal is
      // answered in its turn, since its key may already hold an answer to replay.
      if (parsed[i]) expectAppError(err);
      else outcomes[i] = failed(err);
    }
  }

  const seen = new Map<string, WindowSeen>();
  const alone = async (i: number) => {
    const e = events[i]!;
    try {
      const answer = await recordUsage(db, recordInput(workspaceId, e, now), opts);
      outcomes[i] = { ok: true, answer };
      const s = seen.get(e.feature);
      if (s && answer.remaining !== null) s.remaining = toDec(answer.remaining);
    } catch (err) {
      outcomes[i] = failed(err);
    }
  };

  const opened = new Set<string>();
  let i = 0;
  while (i < events.length) {
    if (outcomes[i]) {
      i++;
      continue;
    }
    if (goesAlone(seen.get(parsed[i]!.feature), units[i] ?? null)) {
      await alone(i++);
      continue;
    }
    const run = await meterRun(db, workspaceId, i, parsed, units, outcomes, seen, now, opts);
    i = run.next;
    if (run.open && !opened.has(run.open)) {
      opened.add(run.open);
      try {
        await openWindow(db, workspaceId, run.open, now);
      } catch (err) {
        // Not in the plan: each of the feature's events gets recordUsage's own answer (a replay, or this refusal).
        expectAppError(err);
        seen.set(run.open, NO_WINDOW);
      }
      continue;
    }
    if (i < events.length && !outcomes[i]) await alone(i++);
  }
  return outcomes.map((o) => o!);
}

const recordInput = (workspaceId: string, e: BatchEventInput, now: Date) => ({
  workspaceId,
  feature: e.feature,
  units: e.units,
  costs: e.costs,
  idempotencyKey: e.idempotencyKey,
  metadata: e.metadata,
  now,
});

/** What the last run saw of a feature's window, to send an event that will not fit straight to recordUsage. */
interface WindowSeen {
  /** null: the feature has no window to meter (not in the plan). */
  kind: EntitlementKind | null;
  overflow: Overflow | null;
  remaining: Dec | null;
}

const NO_WINDOW: WindowSeen = { kind: null, overflow: null, remaining: null };

// A guess that only saves a run that would decide nothing: recordUsage decides the event either way.
function goesAlone(s: WindowSeen | undefined, n: Dec | null): boolean {
  if (n === null) return true;
  if (!s) return false;
  return s.kind !== "meter" || (s.overflow === "extras" && s.remaining !== null && n.gt(s.remaining));
}

function failed(err: unknown): BatchOutcome {
  expectAppError(err);
  return { ok: false, error: err as AppError };
}

/** Anything but an AppError is a failure of ours or of the database, not an answer for one event. */
function expectAppError(err: unknown): asserts err is AppError {
  if (!isAppError(err)) throw err;
}

const conflict = (idempotencyKey: string) =>
  new AppError("idempotency_conflict", "This idempotency key was already used with a different request.", { idempotencyKey });

interface RunResult {
  /** The first event the run did not decide. */
  next: number;
  /** The run stopped at an event whose feature has no window yet: open it and go on. */
  open?: string;
}

/** One run from event `from`, retried whole when it loses a race for a key or deadlocks. */
async function meterRun(
  db: PrismaClient,
  workspaceId: string,
  from: number,
  parsed: (ParsedRecord | undefined)[],
  units: (Dec | null)[],
  outcomes: (BatchOutcome | undefined)[],
  seen: Map<string, WindowSeen>,
  now: Date,
  opts: MeteringOptions,
): Promise<RunResult> {
  const end = predictedEnd(from, parsed, units, outcomes, seen);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let run: Awaited<ReturnType<typeof decideAndWrite>>;
    try {
      run = await hotTransaction(db, (sql) => decideAndWrite(sql, workspaceId, from, end, parsed, units, outcomes, seen, now));
    } catch (e) {
      // A concurrent request took one of these keys after we looked, or a lock cycle: all rolled back, look again.
      if (isUniqueViolation(e) || isRetryableConflict(e)) continue;
      throw e;
    }
    for (const [i, o] of run.decided) outcomes[i] = o;
    for (const [feature, s] of run.seen) seen.set(feature, s);
    if (run.notificationIds.length) {
      const sent = deliverNotifications(db, run.notificationIds, opts.notifier).catch((e) => console.error("[billing] threshold notifications failed:", e));
      if (opts.waitForSideEffects) await sent;
    }
    return { next: run.next, open: run.open };
  }
  return { next: from };
}

/**
 * Where the run from `from` is expected to end, from what earlier runs saw: at the first event that will
 * not fit its extras window's quota, or whose feature does not meter. The run reads and locks only what the
 * events before it need (a batch alternating between overflow and other features would otherwise read every
 * remaining key once per run). A wrong guess costs a run or a recordUsage, never a different outcome.
 */
function predictedEnd(
  from: number,
  parsed: (ParsedRecord | undefined)[],
  units: (Dec | null)[],
  outcomes: (BatchOutcome | undefined)[],
  seen: ReadonlyMap<string, WindowSeen>,
): number {
  const left = new Map<string, Dec>();
  for (let i = from + 1; i < parsed.length; i++) {
    if (outcomes[i]) continue;
    const n = units[i] ?? null;
    const s = seen.get(parsed[i]!.feature);
    if (n === null || (s && s.kind !== "meter")) return i;
    if (!s || s.overflow !== "extras" || s.remaining === null) continue;
    const remaining = left.get(parsed[i]!.feature) ?? s.remaining;
    if (n.gt(remaining)) return i;
    left.set(parsed[i]!.feature, remaining.minus(n));
  }
  return parsed.length;
}

interface LockedWindow {
  id: string;
  feature: string;
  kind: EntitlementKind;
  quota: string | null;
  used: string;
  overflow: Overflow;
  /** ISO 8601 (read as text: pg would parse the column in the process's time zone). */
  periodEnd: string;
}

interface Locked {
  windows: LockedWindow[] | string | null;
  balance: string | null;
  existing: { idempotencyKey: string; requestHash: string; response: UsageAnswer }[] | string | null;
}

/** A window of the run: its counter before the run and as the run moves it. */
interface RunWindow {
  row: LockedWindow;
  quota: Dec | null;
  before: Dec;
  used: Dec;
  periodEnd: Date;
  resetsAt: string | null;
}

// One round trip: the active windows of these features locked in feature order, the extras balance, and
// the events already recorded under these keys.
const LOCK_SQL = `
  WITH w AS (
    SELECT w.id, w.feature, w.kind::text AS kind, w.quota::text AS quota, w.used::text AS used, w.overflow::text AS overflow,
      to_char(w."periodEnd", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "periodEnd"
    FROM "UsageWindow" w
    WHERE w."workspaceId" = $1 AND w.feature = ANY($2::text[]) AND w."periodStart" <= $3::timestamp(3) AND w."periodEnd" > $3::timestamp(3)
    ORDER BY w.feature
    FOR UPDATE
  )
  SELECT (SELECT json_agg(w) FROM w) AS windows,
    (SELECT a.balance::text FROM "ExtrasAccount" a WHERE a."workspaceId" = $1) AS balance,
    (SELECT json_agg(json_build_object('idempotencyKey', e."idempotencyKey", 'requestHash', e."requestHash", 'response', e.response))
      FROM "UsageEvent" e WHERE e."workspaceId" = $1 AND e."idempotencyKey" = ANY($4::text[])) AS existing`;

// One round trip: the events (the answer and metadata ride as JSON), and each window raised by its sum.
const WRITE_SQL = `
  WITH events AS (
    INSERT INTO "UsageEvent" (id, "workspaceId", feature, "windowId", units, "quotaUnits", "extrasUnits", "idempotencyKey", "requestHash", response, metadata, "costDollars", "costTokens", "createdAt")
    SELECT gen_random_uuid()::text, $1, t.feature, t.win, t.units, t.units, 0, t.key, t.hash, t.response, t.metadata, (t.cost->>'dollars')::numeric, t.cost->'tokens', $2::timestamp(3)
    FROM json_to_recordset($3::json) AS t(feature text, win text, units numeric, key text, hash text, response jsonb, metadata jsonb, cost jsonb)
  )
  UPDATE "UsageWindow" AS uw SET used = uw.used + s.add
  FROM json_to_recordset($4::json) AS s(id text, add numeric)
  WHERE uw.id = s.id`;

/**
 * Decides events from `from` on, in order, under the windows' locks, until one needs recordUsage or `end`,
 * and writes what it accepted. Each decision is the one recordUsage makes on the same counters:
 * a key already recorded replays (or conflicts); units that fit (or any, on an unlimited or soft window) are
 * accepted; a blocking window refuses the rest. The extras balance cannot move inside a run (nothing in it
 * spends extras), so each answer reports the balance read under the locks, as recordUsage's statement does.
 */
async function decideAndWrite(
  sql: SqlRunner,
  workspaceId: string,
  from: number,
  end: number,
  parsed: (ParsedRecord | undefined)[],
  units: (Dec | null)[],
  outcomes: (BatchOutcome | undefined)[],
  seen: ReadonlyMap<string, WindowSeen>,
  now: Date,
) {
  const features = new Set<string>();
  const keys: string[] = [];
  for (let i = from; i < end; i++) {
    const p = parsed[i];
    if (!p || outcomes[i]) continue;
    features.add(p.feature);
    keys.push(p.idempotencyKey);
  }
  const [locked] = await sql<Locked>("batch_lock_windows", LOCK_SQL, [workspaceId, [...features], now.toISOString(), keys]);
  const windows = new Map<string, RunWindow>();
  for (const row of json<LockedWindow[]>(locked?.windows)) {
    const used = toDec(row.used);
    const periodEnd = new Date(row.periodEnd);
    windows.set(row.feature, { row, quota: row.quota === null ? null : toDec(row.quota), before: used, used, periodEnd, resetsAt: resetsAtOf(periodEnd) });
  }
  const balance = toDec(locked?.balance ?? "0");
  const extrasRemaining = formatUnits(balance);
  // Keys recorded before this run, and those this run records: a key comes back as a replay or a conflict.
  const recorded = new Map<string, { requestHash: string; answer: UsageAnswer }>();
  for (const r of json<{ idempotencyKey: string; requestHash: string; response: UsageAnswer }[]>(locked?.existing)) recorded.set(r.idempotencyKey, { requestHash: r.requestHash, answer: answerOf(r.response) });

  const decided = new Map<number, BatchOutcome>();
  const rows: string[] = [];
  let next = from;
  let open: string | undefined;
  for (; next < end; next++) {
    if (outcomes[next]) continue;
    const p = parsed[next]!;
    const n = units[next] ?? null;
    if (n === null) break;
    const prior = recorded.get(p.idempotencyKey);
    if (prior) {
      decided.set(next, prior.requestHash === p.requestHash ? { ok: true, answer: prior.answer } : { ok: false, error: conflict(p.idempotencyKey) });
      continue;
    }
    const w = windows.get(p.feature);
    if (!w) {
      if (seen.get(p.feature) !== NO_WINDOW) open = p.feature;
      break;
    }
    if (w.row.kind !== "meter") break;
    if (w.quota !== null && w.row.overflow !== "soft" && w.used.plus(n).gt(w.quota)) {
      // Past the quota: a blocking window refuses here; extras may pay, which is recordUsage's to decide.
      if (w.row.overflow !== "block") break;
      decided.set(next, { ok: false, error: refusal(p.feature, n, remainingOf(w.quota, w.used), balance, w.periodEnd) });
      continue;
    }
    w.used = w.used.plus(n);
    const remaining = remainingOf(w.quota, w.used);
    const answer: UsageAnswer = {
      allowed: true,
      feature: p.feature,
      units: formatUnits(n),
      remaining: remaining === null ? null : formatUnits(remaining),
      extrasRemaining,
      resetsAt: w.resetsAt,
    };
    decided.set(next, { ok: true, answer });
    recorded.set(p.idempotencyKey, { requestHash: p.requestHash, answer });
    rows.push(
      `{"feature":"${p.feature}","win":"${w.row.id}","units":"${n.toFixed()}","key":${JSON.stringify(p.idempotencyKey)},"hash":"${p.requestHash}","response":${JSON.stringify(answer)},"metadata":${p.metadataJson ?? "null"},"cost":${p.costJson ?? "null"}}`,
    );
  }

  const notificationIds: string[] = [];
  if (rows.length) {
    const raised = [...windows.values()].filter((w) => !w.used.eq(w.before));
    const sums = raised.map((w) => `{"id":"${w.row.id}","add":"${w.used.minus(w.before).toFixed()}"}`);
    await sql("batch_write_events", WRITE_SQL, [workspaceId, now.toISOString(), `[${rows.join(",")}]`, `[${sums.join(",")}]`]);
    for (const w of raised) {
      const percents = crossedThresholds(w.before, w.used, w.quota);
      if (percents.length) {
        notificationIds.push(...(await insertThresholdMarks(sql, { workspaceId, windowId: w.row.id, feature: w.row.feature, percents, resetsAt: w.resetsAt, now })));
      }
    }
  }
  const after = new Map<string, WindowSeen>();
  for (const [feature, w] of windows) after.set(feature, { kind: w.row.kind, overflow: w.row.overflow, remaining: remainingOf(w.quota, w.used) });
  return { decided, next, open, notificationIds, seen: after };
}

// pg parses json columns; through Prisma's raw queries they may arrive as text.
const json = <T extends unknown[]>(v: T | string | null | undefined): T => (typeof v === "string" ? (JSON.parse(v) as T) : (v ?? ([] as unknown[] as T)));

/** A stored answer with its fields in the engine's order (jsonb sorts keys). */
function answerOf(r: UsageAnswer): UsageAnswer {
  return { allowed: r.allowed, feature: r.feature, units: r.units, remaining: r.remaining, extrasRemaining: r.extrasRemaining, resetsAt: r.resetsAt };
}
