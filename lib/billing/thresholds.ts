import type { Client } from "@/lib/db";
import type { EntitlementKind } from "@/lib/generated/prisma/enums";
import { LIFETIME_END } from "./periods";
import type { RawTx } from "./throughput";
import { ZERO, type Dec } from "./units";

/** Percentages of a window's quota whose crossing is recorded (once per window) and notified. */
export const THRESHOLDS = [80, 100] as const;
export const THRESHOLD_LIST = `{${THRESHOLDS.join(",")}}`;
export const LIFETIME_END_TEXT = LIFETIME_END.toISOString();

// The wording the database function tally_mark_thresholds writes (record-usage.sql); a test holds them equal.
export const thresholdSubject = (feature: string, percent: number) => `${feature} usage reached ${percent}% of its quota`;
export const thresholdBody = (feature: string, percent: number, resetsAt: string | null) =>
  `Your workspace has used ${percent}% of its ${feature} quota for the current window. ` +
  (resetsAt ? `The quota resets at ${resetsAt}.` : "This quota does not reset.");
/** The body when the window had already ended when it was crossed (by an event reported late, backdated into it). */
export const lateThresholdBody = (feature: string, percent: number, endedAt: string) =>
  `Usage reported late brought your workspace to ${percent}% of its ${feature} quota for the window that ended at ${endedAt}. ` +
  "The current window is not affected.";

/**
 * Marks the thresholds a window's counter crossed moving from `before` to `after`, with their notifications,
 * through the same database function as the metering statement (one place decides and words a crossing).
 * The unique (workspace, window, percent) keeps each to one even when the quota is raised and crossed again.
 * Returns the ids of the notifications created, to send after commit.
 */
export async function insertThresholdMarks(
  tx: Pick<Client, "$queryRawUnsafe"> | RawTx,
  input: { workspaceId: string; windowId: string; feature: string; before: Dec; after: Dec; quota: Dec | null; periodEnd: Date; now: Date },
): Promise<string[]> {
  if (input.quota === null || !input.after.gt(input.before)) return [];
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
    `SELECT tally_mark_thresholds($1, $2, $3, $4::numeric, $5::numeric, $6::numeric, $7::int[], $8::timestamp(3), $9::timestamp(3), $10::timestamp(3)) AS id`,
    input.workspaceId,
    input.windowId,
    input.feature,
    input.before.toFixed(),
    input.after.toFixed(),
    input.quota.toFixed(),
    THRESHOLD_LIST,
    input.periodEnd.toISOString(),
    LIFETIME_END_TEXT,
    input.now.toISOString(),
  );
  return rows.map((r) => r.id);
}

/**
 * Marks the thresholds a meter's count stands at now, as crossed now, for a window whose count did not get
 * there by recording: a window a reset opened and recounted from its events, or one whose quota was lowered
 * under its count (a move to a smaller plan that applies now, an override). The member and the backend then
 * hear of it as of usage crossing it (usage.threshold_crossed, and usage.limit_reached when nothing lets the
 * feature go on). A raised quota marks nothing new: usage marked every threshold it passed under the lower one.
 * A threshold the window already marked stays one mark, so a quota raised again later in the same window does
 * not tell its crossings again. Gauges (seats, projects) are marked on no path (see billingAlerts).
 */
export async function markStandingCount(
  tx: Pick<Client, "$queryRawUnsafe"> | RawTx,
  input: { workspaceId: string; windowId: string; feature: string; kind: EntitlementKind; used: Dec; quota: Dec | null; periodEnd: Date; now: Date },
): Promise<string[]> {
  if (input.kind !== "meter") return [];
  return insertThresholdMarks(tx, { ...input, before: ZERO, after: input.used });
}
