import { isTransaction, type Client } from "@/lib/db";
import { AppError, isAppError } from "@/lib/errors";
import { maybeAutoTopUp, type PaymentsPort } from "./auto-top-up";
import { isRetryableConflict, isUniqueViolation } from "./db-errors";
import type { LockedAccount } from "./extras-ledger";
import { extrasPath, type SlowResult } from "./extras-path";
import { isBackdated, meteringStatement, windowKey, type FastResult, type UsageRequest } from "./metering-statement";

export type { UsageRequest } from "./metering-statement";
import { deliverNotifications, type Notifier } from "./notify";
import { decideQuota, type QuotaDecision } from "./quota-rule";
import { formatUnits, type Dec } from "./units";
import { unitsFromCosts } from "./usage-costs";
import { answerOf, readUsageState, refusal, type UsageAnswer } from "./usage-state";
import { parseRecordInput, type RecordUsageInput } from "./validation";
import { openWindow } from "./windows";
import { joinInFlight, oneAtATime, resolveWorkspace } from "./throughput";

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


/**
 * Records usage of a metered feature (see index.ts for the contract). The common path is one SQL
 * statement; past the quota, overflow decides: block refuses, soft accepts, extras debits lots.
 */
export async function recordUsage(db: Client, input: RecordUsageInput, opts: MeteringOptions = {}): Promise<UsageAnswer> {
  const p = parseRecordInput(input);
  let workspace = p.workspaceId;
  if (p.timestampError) {
    // A retry of an event recorded in time still gets its first answer, however late it comes.
    const earlier = await replay(db, await resolveWorkspace(db, workspace), p.idempotencyKey, p.requestHash);
    if (earlier) return earlier;
    throw p.timestampError;
  }
  let units = p.units;
  let costJson: string | null = null;
  if (!units) {
    try {
      // Priced at the model prices in effect when the usage happened.
      ({ workspaceId: workspace, units, costJson } = await unitsFromCosts(db, workspace, p.costs!, p.at));
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


function openWindowOnce(db: Client, workspaceId: string, feature: string, now: Date, backdated: boolean): Promise<void> {
  // A transaction must see its own opening; across transactions the first event of a period often comes as a burst.
  // A backdated event's window is not the one a burst of current events opens.
  if (isTransaction(db) || backdated) return openWindow(db, workspaceId, feature, now);
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

// Opening a window, or losing a race (a reset, an upgrade, a deadlock), costs a retry; more than a few means trouble.
const MAX_ATTEMPTS = 6;

/**
 * A change to a window's counter: the metering statement first (it decides whatever needs no extras);
 * when it changed nothing, the quota rule on the state it saw says why: a replay, no window yet (open it),
 * a refusal, overflow for the extras transaction, or an older snapshot than ours (try again).
 */
export async function applyUsage(db: Client, request: UsageRequest, opts: MeteringOptions): Promise<UsageAnswer> {
  const units = request.delta.abs();
  let workspace = request.workspaceId;
  // A deadlock or serialization failure rolled our statement or transaction back whole: try again. Inside a
  // caller's transaction the cycle involves the caller's locks too, so trying again is the caller's to do.
  const lostRace = (e: unknown) => isRetryableConflict(e) && !isTransaction(db);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let fast: FastResult;
    const attemptReq = { ...request, workspaceId: workspace };
    try {
      fast = isTransaction(db) ? await inSavepoint(db, () => meteringStatement(db, attemptReq)) : await meteringStatement(db, attemptReq);
    } catch (e) {
      if (lostRace(e)) continue;
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
      await openWindowOnce(db, req.workspaceId, req.feature, req.at ?? req.now, isBackdated(req));
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
    // another request opened the next, or an upgrade raised the quota. A change the rule accepts without
    // extras was not refused for quota: try again. A refusal may rest on this one-snapshot read; an
    // acceptance that needs extras is decided again under the locks.
    const decision = decideQuota(w, state, req.delta);
    if (decision.outcome === "quota") continue;
    if (decision.outcome === "refused") throw refused(req, units, decision, state.balance, w.periodEnd, w.used);

    let slow: SlowResult | "retry" | "replay";
    try {
      slow = isTransaction(db)
        ? await extrasPath(db, req)
        : await oneAtATime(windowKey(req), async () => {
            // Queued behind others: what they spent may already make this a refusal, which needs no transaction.
            const fresh = await readUsageState(db, req.workspaceId, req.feature, req.now, req.idempotencyKey, req.at);
            if (fresh.existing) return "replay" as const;
            const fw = fresh.window;
            if (!fw || fw.kind !== req.kind) return "retry" as const;
            const again = decideQuota(fw, fresh, req.delta);
            if (again.outcome === "refused") throw refused(req, units, again, fresh.balance, fw.periodEnd, fw.used);
            return again.outcome === "extras" ? extrasPath(db, req) : ("retry" as const);
          });
    } catch (e) {
      if (lostRace(e)) continue;
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

/** The error of a refusal: quota_exhausted, or invalid_request for a release of more than is in use. */
function refused(req: UsageRequest<string>, units: Dec, d: Extract<QuotaDecision, { outcome: "refused" }>, balance: Dec, periodEnd: Date, used: Dec): AppError {
  if (d.reason === "release") {
    return new AppError("invalid_request", `Cannot release ${formatUnits(units)} ${req.feature}: only ${formatUnits(used)} in use.`, { field: "units" });
  }
  return refusal(req.feature, units, d.remaining, balance, periodEnd);
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
