import type { Client } from "@/lib/db";
import { AppError, isAppError } from "@/lib/errors";
import { decideAndWrite, NO_WINDOW, type BatchOutcome, type BatchState, type WindowSeen } from "./batch-run";
import { isRetryableConflict, isUniqueViolation } from "./db-errors";
import { deliverNotifications } from "./notify";
import { recordUsage, type MeteringOptions } from "./record-usage";
import { hotTransaction } from "./throughput";
import { toDec, type Dec } from "./units";
import { unitsFromCosts } from "./usage-costs";
import { parseRecordInput, type ParsedRecord, type RecordUsageInput } from "./validation";
import { openWindow } from "./windows";

export type { BatchOutcome } from "./batch-run";

/** One event of a batch: what recordUsage takes, less the workspace and the time, which the batch gives. */
export type BatchEventInput = Omit<RecordUsageInput, "workspaceId" | "now">;

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
  db: Client,
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
      // A backdated event counts in its own window, not the one a run locks; recordUsage decides it in its turn
      // (so is a timestamp out of range: its key may already hold an answer to replay).
      if (p.timestampError || p.at < now) continue;
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
  const batch: BatchState = { workspaceId, now, parsed, units, outcomes, seen };
  const alone = async (i: number) => {
    const e = events[i]!;
    try {
      const answer = await recordUsage(db, recordInput(workspaceId, e, now), opts);
      outcomes[i] = { ok: true, answer };
      const s = seen.get(e.feature);
      const backdated = !parsed[i] || parsed[i].timestampError || parsed[i].at < now;
      if (s && answer.remaining !== null && !backdated) s.remaining = toDec(answer.remaining);
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
    const run = await meterRun(db, batch, i, opts);
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
  timestamp: e.timestamp,
  now,
});


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


interface RunResult {
  /** The first event the run did not decide. */
  next: number;
  /** The run stopped at an event whose feature has no window yet: open it and go on. */
  open?: string;
}

/** One run from event `from`, retried whole when it loses a race for a key or deadlocks. */
async function meterRun(db: Client, batch: BatchState, from: number, opts: MeteringOptions): Promise<RunResult> {
  const end = predictedEnd(from, batch);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let run: Awaited<ReturnType<typeof decideAndWrite>>;
    try {
      run = await hotTransaction(db, (tx) => decideAndWrite(tx, batch, from, end));
    } catch (e) {
      // A concurrent request took one of these keys after we looked, or a lock cycle: all rolled back, look again.
      if (isUniqueViolation(e) || isRetryableConflict(e)) continue;
      throw e;
    }
    for (const [i, o] of run.decided) batch.outcomes[i] = o;
    for (const [feature, s] of run.seen) batch.seen.set(feature, s);
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
function predictedEnd(from: number, { parsed, units, outcomes, seen }: BatchState): number {
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

