import type { EntitlementKind, Overflow } from "@/lib/generated/prisma/enums";
import { ZERO, maxDec, minDec, type Dec } from "./units";

// THE quota rule: whether a change of `delta` units to a window is accepted, and who pays for it. Every
// place that decides in TypeScript asks this function (the re-check after the metering statement, the
// queued re-check, the extras transaction under its locks, checkUsage, the batch's runs). The database
// function tally_record_usage (record-usage.sql) decides the cases that need no extras with the same
// comparisons, in SQL; tests/integration/billing/quota-rule.test.ts holds the two equal over random states.

/** A window's counter as the decision sees it. */
export interface WindowState {
  kind: EntitlementKind;
  /** null: unlimited. */
  quota: Dec | null;
  used: Dec;
  overflow: Overflow;
}

/** The extras that could pay for overflow. */
export interface ExtrasState {
  /** Cached balance; negative after a clawback (then extras cover nothing). */
  balance: Dec;
  /** Sum of the lots that can pay now (positive remainder, not expired). */
  spendable: Dec;
}

export type QuotaDecision =
  /** Accepted: the window's counter moves by quotaPart (the whole delta), extras pay nothing. */
  | { outcome: "quota"; quotaPart: Dec; extrasPart: Dec }
  /** Accepted past the quota: the window takes what is left of it, extras pay the rest. */
  | { outcome: "extras"; quotaPart: Dec; extrasPart: Dec }
  /** Refused, nothing written: "quota" for quota_exhausted, "release" for giving back more than is in use. */
  | { outcome: "refused"; reason: "quota" | "release"; remaining: Dec | null };

/** Extras that can pay now: nothing while the balance is not positive, else the balance up to what the lots hold. */
export const usableOf = (e: ExtrasState): Dec => (e.balance.lte(0) ? ZERO : minDec(e.balance, e.spendable));

/** Quota left in a window (never negative; null when unlimited). */
export const remainingOf = (quota: Dec | null, used: Dec): Dec | null => (quota === null ? null : maxDec(quota.minus(used), ZERO));

/**
 * Decides a change of `delta` units (> 0 records or claims, < 0 releases a gauge) against a window and the
 * extras. Unlimited and soft windows take any positive delta; otherwise units within the remaining quota
 * fit; past it, a blocking window or a gauge refuses, and an extras window takes what is left of the quota
 * and has extras pay the rest when they can (soonest-expiring lot first, decided by the ledger), else refuses.
 * A release never takes a counter below zero.
 */
export function decideQuota(w: WindowState, extras: ExtrasState, delta: Dec): QuotaDecision {
  const remaining = remainingOf(w.quota, w.used);
  if (delta.lt(0)) {
    return w.used.plus(delta).gte(0) ? { outcome: "quota", quotaPart: delta, extrasPart: ZERO } : { outcome: "refused", reason: "release", remaining };
  }
  if (remaining === null || w.overflow === "soft" || delta.lte(remaining)) return { outcome: "quota", quotaPart: delta, extrasPart: ZERO };
  if (w.overflow !== "extras" || w.kind !== "meter") return { outcome: "refused", reason: "quota", remaining };
  const extrasPart = delta.minus(remaining);
  if (extrasPart.gt(usableOf(extras))) return { outcome: "refused", reason: "quota", remaining };
  return { outcome: "extras", quotaPart: remaining, extrasPart };
}
