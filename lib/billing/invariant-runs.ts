import { Prisma } from "@/lib/generated/prisma/client";
import { inTransaction, type Client } from "@/lib/db";
import { checkInvariants, type Violation } from "./invariants";

export interface InvariantRunSummary {
  critical: number;
  warning: number;
  /** Violations first seen (or seen again after being resolved) in this run. */
  opened: number;
  /** Violations stored as open that this run no longer found. */
  resolved: number;
}

const LOG_LIMIT = 50;

/**
 * Runs the checks, logs what they found with its severity, and stores it in InvariantViolation for operators:
 * one row per (check, subject), updated (lastSeenAt) while it is found again, marked resolved when a run no
 * longer finds it, reopened if it comes back. With `workspaceId`, only that workspace's rows are resolved.
 * Runs are serialised by an advisory lock, so two cron instances never interleave their writes.
 */
export async function recordInvariantRun(db: Client, opts: { workspaceId?: string; now?: Date } = {}): Promise<InvariantRunSummary & { violations: Violation[] }> {
  const now = opts.now ?? new Date();
  const found = new Map<string, Violation>();
  for (const v of await checkInvariants(db, { workspaceId: opts.workspaceId })) found.set(`${v.check}\u0000${v.id}`, v);
  const violations = [...found.values()].sort((a, b) => (a.check === b.check ? (a.id < b.id ? -1 : 1) : a.check < b.check ? -1 : 1));
  violations.slice(0, LOG_LIMIT).forEach((v) => {
    const line = `[invariants] ${v.severity} ${v.check} workspace=${v.workspaceId} subject=${v.id} expected=${v.expected} actual=${v.actual}`;
    if (v.severity === "critical") console.error(line);
    else console.warn(line);
  });
  if (violations.length > LOG_LIMIT) console.error(`[invariants] ... and ${violations.length - LOG_LIMIT} more`);

  const { opened, resolved } = await inTransaction(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('tally_invariant_run'))`;
    const upserted = await tx.$queryRaw<{ reopened: boolean }[]>`
      INSERT INTO "InvariantViolation" AS v (id, "check", severity, "workspaceId", "subjectId", expected, actual, "firstSeenAt", "lastSeenAt")
      SELECT gen_random_uuid()::text, x.c, x.s::"InvariantSeverity", x.w, x.i, x.e, x.a, ${now}, ${now}
      FROM unnest(${violations.map((v) => v.check)}::text[], ${violations.map((v) => v.severity)}::text[], ${violations.map((v) => v.workspaceId)}::text[],
                  ${violations.map((v) => v.id)}::text[], ${violations.map((v) => v.expected)}::text[], ${violations.map((v) => v.actual)}::text[])
        AS x(c, s, w, i, e, a)
      ON CONFLICT ("check", "subjectId") DO UPDATE SET
        severity = EXCLUDED.severity, "workspaceId" = EXCLUDED."workspaceId", expected = EXCLUDED.expected, actual = EXCLUDED.actual,
        "lastSeenAt" = EXCLUDED."lastSeenAt",
        "firstSeenAt" = CASE WHEN v."resolvedAt" IS NULL THEN v."firstSeenAt" ELSE EXCLUDED."firstSeenAt" END,
        "resolvedAt" = NULL
      RETURNING v."firstSeenAt" = ${now} AS reopened`;
    const gone = await tx.$executeRaw`
      UPDATE "InvariantViolation" SET "resolvedAt" = ${now}
      WHERE "resolvedAt" IS NULL
        AND ("check", "subjectId") NOT IN (SELECT * FROM unnest(${violations.map((v) => v.check)}::text[], ${violations.map((v) => v.id)}::text[]))
        ${opts.workspaceId ? Prisma.sql`AND "workspaceId" = ${opts.workspaceId}` : Prisma.empty}`;
    return { opened: upserted.filter((r) => r.reopened).length, resolved: gone };
  });
  const critical = violations.filter((v) => v.severity === "critical").length;
  return { critical, warning: violations.length - critical, opened, resolved, violations };
}
