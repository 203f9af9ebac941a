import type { SqlRunner } from "./pg-pool";
import type { Dec } from "./units";

/** Percentages of a window's quota whose crossing is recorded (once per window) and notified. */
export const THRESHOLDS = [80, 100] as const;

/** Thresholds crossed by moving a window's counter from `before` to `after` (both quota units). */
export function crossedThresholds(before: Dec, after: Dec, quota: Dec | null): number[] {
  if (!quota || quota.lte(0)) return [];
  return THRESHOLDS.filter((p) => before.times(100).lt(quota.times(p)) && after.times(100).gte(quota.times(p)));
}

export const thresholdDedupeKey = (windowId: string, percent: number) => `threshold:${windowId}:${percent}`;

// One wording for both paths: the hot path's database function builds the same text (record-usage.sql).
export const thresholdSubject = (feature: string, percent: number) => `${feature} usage reached ${percent}% of its quota`;
export const thresholdBody = (feature: string, percent: number, resetsAt: string | null) =>
  `Your workspace has used ${percent}% of its ${feature} quota for the current window. ` +
  (resetsAt ? `The quota resets at ${resetsAt}.` : "This quota does not reset.");

/**
 * Inserts the marks (and their notifications) for the thresholds this change crossed. The unique
 * (workspace, window, percent) keeps each to one even when the quota is raised and crossed again.
 * Returns the ids of the notifications created, to send after commit.
 */
export async function insertThresholdMarks(
  sql: SqlRunner,
  input: { workspaceId: string; windowId: string; feature: string; percents: number[]; resetsAt: string | null; now: Date },
): Promise<string[]> {
  const ids: string[] = [];
  for (const percent of input.percents) {
    const mark = await sql<{ id: string }>(
      "threshold_mark",
      `INSERT INTO "ThresholdMark" (id, "workspaceId", "windowId", feature, percent, "createdAt")
       VALUES ($1, $2, $3, $4, $5::int, $6::timestamp(3))
       ON CONFLICT DO NOTHING RETURNING id`,
      [crypto.randomUUID(), input.workspaceId, input.windowId, input.feature, percent, input.now.toISOString()],
    );
    if (!mark.length) continue;
    const n = await sql<{ id: string }>(
      "threshold_notification",
      `INSERT INTO "Notification" (id, "workspaceId", kind, subject, body, "dedupeKey", status, "createdAt")
       VALUES ($1, $2, 'threshold', $3, $4, $5, 'pending', $6::timestamp(3))
       ON CONFLICT DO NOTHING RETURNING id`,
      [crypto.randomUUID(), input.workspaceId, thresholdSubject(input.feature, percent), thresholdBody(input.feature, percent, input.resetsAt), thresholdDedupeKey(input.windowId, percent), input.now.toISOString()],
    );
    ids.push(...n.map((r) => r.id));
  }
  return ids;
}
