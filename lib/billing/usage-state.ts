import type { EntitlementKind, EntitlementPeriod, Overflow } from "@/lib/generated/prisma/enums";
import { AppError } from "@/lib/errors";
import type { Client } from "@/lib/db";
import { isLifetimeEnd } from "./periods";
import { hotStatement, type Lane, type WorkspaceRef } from "./throughput";
import { formatUnits, toDec, type Dec } from "./units";

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
  periodEnd: string | null;
  balance: string | null;
  spendable: string;
  existingHash: string | null;
  existingResponse: UsageAnswer | null;
}

// Every request of the metering API reads this (check, and the slow paths of recording), so it runs as a
// prepared statement on metering's pool. Timestamps travel as ISO text and are read back as UTC.
const USAGE_STATE_SQL = `
  SELECT w.id, w.kind::text AS kind, w.period::text AS period, w.quota::text AS quota, w.used::text AS used,
    w.overflow::text AS overflow, to_char(w."periodEnd", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "periodEnd",
    (SELECT a.balance::text FROM "ExtrasAccount" a WHERE a."workspaceId" = $1::text) AS balance,
    (SELECT COALESCE(sum(l.remaining), 0)::text FROM "ExtrasLot" l
      WHERE l."workspaceId" = $1::text AND l.remaining > 0 AND l."expiredAt" IS NULL
        AND (l."expiresAt" IS NULL OR l."expiresAt" > $3::timestamp(3))) AS spendable,
    e."requestHash" AS "existingHash", e.response AS "existingResponse"
  FROM (SELECT 1) AS one
  LEFT JOIN "UsageEvent" e ON e."workspaceId" = $1::text AND e."idempotencyKey" = $4::text
  LEFT JOIN "UsageWindow" w ON w."workspaceId" = $1::text AND w.feature = $2::text
    AND w."periodStart" <= $5::timestamp(3) AND w."periodEnd" > $5::timestamp(3)`;

// Reads of every workspace share round trips under load (see coalesce.ts); reads take no locks.
const READS: Lane = { key: "", inFlight: 1, maxBatch: 64 };

/**
 * The usage state of (workspace, feature) now, and the workspace's id (resolved here when given a scope).
 * `at` (default: now) picks the window, for a backdated event; the extras are as of now.
 */
export async function readUsageState(
  db: Client,
  workspace: WorkspaceRef,
  feature: string,
  now: Date,
  idempotencyKey: string | null = null,
  at: Date = now,
): Promise<UsageState & { workspaceId: string }> {
  const values = [feature, now.toISOString(), idempotencyKey, at.toISOString()];
  const { workspaceId, rows } = await hotStatement<Row>(db, workspace, "tally_usage_state", USAGE_STATE_SQL, values, READS);
  const r = rows[0];
  if (!r) throw new AppError("billing_unavailable", "Usage state could not be read.");
  return {
    workspaceId,
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
            periodEnd: new Date(r.periodEnd!),
          },
    balance: toDec(r.balance ?? "0"),
    spendable: toDec(r.spendable),
    existing: r.existingHash === null ? null : { requestHash: r.existingHash, response: r.existingResponse! },
  };
}

export const resetsAtOf = (periodEnd: Date): string | null => (isLifetimeEnd(periodEnd) ? null : periodEnd.toISOString());

/** A stored answer with its fields in one order (jsonb sorts keys), so every path serialises alike. */
export function answerOf(r: UsageAnswer): UsageAnswer {
  return { allowed: r.allowed, feature: r.feature, units: r.units, remaining: r.remaining, extrasRemaining: r.extrasRemaining, resetsAt: r.resetsAt };
}

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
