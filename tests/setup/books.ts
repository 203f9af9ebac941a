import type { PrismaClient } from "@/lib/generated/prisma/client";
import { checkInvariants, type Violation } from "@/lib/billing/invariants";

/**
 * Deletes a workspace and every row that names it. Usage, window and ledger rows carry workspaceId without
 * a foreign key (so they can be distributed by workspace), so they are found by that column, in every table
 * that has one; a few passes cover tables that reference each other.
 * For tests that corrupt the books on purpose: they clean up, so the check after the file holds.
 */
export async function removeWorkspace(db: PrismaClient, workspaceId: string): Promise<void> {
  const tables = await db.$queryRaw<{ table: string }[]>`
    SELECT table_name::text AS "table" FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name = 'workspaceId' ORDER BY table_name`;
  let failures: unknown[] = [];
  for (let pass = 0; pass < 3; pass++) {
    failures = [];
    for (const { table } of tables) {
      await db.$executeRawUnsafe(`DELETE FROM "${table}" WHERE "workspaceId" = $1`, workspaceId).catch((e: unknown) => failures.push(e));
    }
    await db.workspace.deleteMany({ where: { id: workspaceId } }).catch((e: unknown) => failures.push(e));
    if (!failures.length) return;
  }
  throw failures[0];
}

const key = (v: Violation) => `${v.check} ${v.id}`;
const describeViolation = (v: Violation) => `  ${v.severity} ${v.check} workspace=${v.workspaceId} subject=${v.id} expected=${v.expected} actual=${v.actual}`;

/** Violations in `db` now, keyed by check and subject. */
export async function violationKeys(db: PrismaClient): Promise<Set<string>> {
  return new Set((await checkInvariants(db)).map(key));
}

/** The violations found now that were not in `before`, described one per line ("" when there are none). */
export async function newViolations(db: PrismaClient, before: Set<string>): Promise<string> {
  const found = (await checkInvariants(db)).filter((v) => !before.has(key(v)));
  if (!found.length) return "";
  const shown = found.slice(0, 20).map(describeViolation);
  if (found.length > shown.length) shown.push(`  ... and ${found.length - shown.length} more`);
  return `${found.length} invariant violations left by this file:\n${shown.join("\n")}`;
}
