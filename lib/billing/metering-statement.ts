import type { EntitlementKind, Overflow } from "@/lib/generated/prisma/enums";
import type { Dec } from "./units";
import type { Client } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { LIFETIME_END_TEXT, THRESHOLD_LIST } from "./thresholds";
import { formatUnits, toDec } from "./units";
import { answerOf, type UsageAnswer, type UsageState } from "./usage-state";
import { hotStatement, type Lane, type WorkspaceRef } from "./throughput";

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
  /** When the usage happened, for a backdated event (default: now): picks the window and dates the event. */
  at?: Date;
}

/**
 * Concurrent recordings share round trips and commits (see coalesce.ts), whichever windows they change: a
 * few statements in flight, one at a time per feature's windows, and the recordings that arrive meanwhile go
 * together in the next ones, ordered by feature and then by time, so that statements (and a period reset,
 * lib/billing/windows.ts) lock window rows in one order: a batch's events may fall on both sides of a window's end.
 */
const windowLane = (req: UsageRequest): Lane => ({
  key: "metering",
  order: windowKey(req),
  sequence: (req.at ?? req.now).toISOString(),
  inFlight: 2,
  maxBatch: 64,
});
// Until a scope is resolved its key stands for the workspace (an API key names one workspace).
export const windowKey = (req: { workspaceId: WorkspaceRef; feature: string }) =>
  typeof req.workspaceId === "string" ? `${req.workspaceId}\u0000${req.feature}` : `scope\u0000${req.workspaceId.key}\u0000${req.feature}`;

export interface FastResult {
  workspaceId: string;
  answer: UsageAnswer | null;
  notificationIds: string[];
  /** Why nothing changed, when nothing did. */
  state: UsageState | null;
}

/** True when the request is dated before the time it is recorded at. */
export const isBackdated = (req: { now: Date; at?: Date }): boolean => req.at !== undefined && req.at < req.now;

/** One round trip to tally_record_usage (record-usage.sql): the change recorded, or why not, from one snapshot. */
export async function meteringStatement(db: Client, req: UsageRequest): Promise<FastResult> {
  const args = [
    req.feature, req.kind, req.delta.toFixed(), formatUnits(req.delta.abs()), req.idempotencyKey, req.requestHash,
    req.metadataJson, req.now.toISOString(), crypto.randomUUID(), THRESHOLD_LIST, LIFETIME_END_TEXT, req.costJson ?? null,
    req.at?.toISOString() ?? null,
  ];
  // A backdated event may fall in another window than the lane's: it goes alone, so a shared statement still
  // locks one window row.
  const lane = isBackdated(req) ? undefined : windowLane(req);
  const { workspaceId, rows } = await hotStatement<FastRow>(db, req.workspaceId, "tally_record_usage", FAST_SQL, args, lane);
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
  FROM tally_record_usage($1, $2, $3::"EntitlementKind", $4::numeric, $5, $6, $7, $8::jsonb, $9::timestamp(3), $10, $11::int[], $12::timestamp(3), $13::jsonb, $14::timestamp(3))`;
