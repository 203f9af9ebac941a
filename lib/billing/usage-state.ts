import type { EntitlementKind, EntitlementPeriod, Overflow } from "@/lib/generated/prisma/enums";
import { AppError } from "@/lib/errors";
import type { Client } from "./client";
import { isLifetimeEnd } from "./periods";
import { ZERO, formatUnits, maxDec, minDec, toDec, type Dec } from "./units";

/** What a metering decision needs, read in one statement (one snapshot): the active window and the extras. */
export interface UsageState {
  window: {
    id: string;
    kind: EntitlementKind;
    /** null when read by the hot path, which does not need it. */
    period: EntitlementPeriod | null;
    quota: Dec | null;
    used: Dec;
    overflow: Overflow;
    periodEnd: Date;
  } | null;
  /** Cached extras balance; negative after a clawback. */
  balance: Dec;
  /** Sum of lots that can pay now (positive remaining, not expired). */
  spendable: Dec;
  /** The event already recorded under the idempotency key asked about, if any. */
  existing: { requestHash: string; response: UsageAnswer } | null;
}

interface Row {
  id: string | null;
  kind: EntitlementKind | null;
  period: EntitlementPeriod | null;
  quota: string | null;
  used: string | null;
  overflow: Overflow | null;
  periodEnd: Date | null;
  balance: string | null;
  spendable: string;
  existingHash: string | null;
  existingResponse: UsageAnswer | null;
}

export async function readUsageState(db: Client, workspaceId: string, feature: string, now: Date, idempotencyKey: string | null = null): Promise<UsageState> {
  const rows = await db.$queryRaw<Row[]>`
    SELECT w.id, w.kind, w.period, w.quota::text AS quota, w.used::text AS used, w.overflow, w."periodEnd",
      (SELECT a.balance::text FROM "ExtrasAccount" a WHERE a."workspaceId" = ${workspaceId}) AS balance,
      (SELECT COALESCE(sum(l.remaining), 0)::text FROM "ExtrasLot" l
        WHERE l."workspaceId" = ${workspaceId} AND l.remaining > 0 AND l."expiredAt" IS NULL
          AND (l."expiresAt" IS NULL OR l."expiresAt" > ${now})) AS spendable,
      e."requestHash" AS "existingHash", e.response AS "existingResponse"
    FROM (SELECT 1) AS one
    LEFT JOIN "UsageEvent" e ON e."workspaceId" = ${workspaceId} AND e."idempotencyKey" = ${idempotencyKey}
    LEFT JOIN "UsageWindow" w ON w."workspaceId" = ${workspaceId} AND w.feature = ${feature}
      AND w."periodStart" <= ${now} AND w."periodEnd" > ${now}`;
  const r = rows[0];
  if (!r) throw new AppError("billing_unavailable", "Usage state could not be read.");
  return {
    window:
      r.id === null
        ? null
        : {
            id: r.id,
            kind: r.kind!,
            period: r.period!,
            quota: r.quota === null ? null : toDec(r.quota),
            used: toDec(r.used ?? "0"),
            overflow: r.overflow!,
            periodEnd: r.periodEnd!,
          },
    balance: toDec(r.balance ?? "0"),
    spendable: toDec(r.spendable),
    existing: r.existingHash === null ? null : { requestHash: r.existingHash, response: r.existingResponse! },
  };
}

/** Extras that can pay now: nothing while the balance is not positive. */
export const usableOf = (s: UsageState): Dec => (s.balance.lte(0) ? ZERO : minDec(s.balance, s.spendable));

/** Quota left in a window (never negative; null when unlimited). */
export const remainingOf = (quota: Dec | null, used: Dec): Dec | null => (quota === null ? null : maxDec(quota.minus(used), ZERO));

export const resetsAtOf = (periodEnd: Date): string | null => (isLifetimeEnd(periodEnd) ? null : periodEnd.toISOString());

/** The answer every metering call gives; decimals as exact strings (see index.ts). */
export interface UsageAnswer {
  allowed: boolean;
  feature: string;
  units: string;
  /** Quota left in the current window; null when unlimited. */
  remaining: string | null;
  /** The extras balance (negative means extras cover nothing until topped up). */
  extrasRemaining: string;
  /** When the current window ends (ISO 8601, UTC); null when it never resets. */
  resetsAt: string | null;
}

export function refusal(feature: string, units: Dec, remaining: Dec | null, balance: Dec, periodEnd: Date | null, why?: string): AppError {
  const details = {
    feature,
    units: formatUnits(units),
    remaining: remaining === null ? null : formatUnits(remaining),
    extrasRemaining: formatUnits(balance),
    resetsAt: periodEnd ? resetsAtOf(periodEnd) : null,
  };
  return new AppError(
    "quota_exhausted",
    why ?? `Not enough ${feature} left: ${details.remaining ?? "unlimited"} in this window and ${details.extrasRemaining} in extras for ${details.units} requested.`,
    details,
  );
}
