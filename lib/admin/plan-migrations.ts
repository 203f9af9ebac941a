import type { Client } from "@/lib/billing";
import { AppError, messageOf } from "@/lib/errors";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { recordAudit } from "./audit";
import type { Operator } from "./operators";
import { moveWorkspace, planLabel, planWithEntitlements, previewMoves, type MovePreview, type Terms } from "./plan-moves";

/**
 * Migrations of one plan version's subscriptions to another.
 *
 * The preview is computed live, a page at a time (keyset on workspace id). Starting a migration freezes the
 * preview as its items, one per workspace on the source version then, each with the terms expected after
 * the move. A run moves the pending items in workspace order: each move, its item's result and the cursor
 * commit in one transaction (moveWorkspace), so a run that dies loses nothing and a later run goes on from
 * the cursor; a workspace already on the target is reported, never moved twice; a second run after the
 * last changes nothing. Items that failed (Stripe down, say) are retried by the next run.
 */

export async function migrationPreview(db: Client, input: { fromPlanId: string; toPlanId: string; after?: string; limit?: number; now?: Date }) {
  const limit = input.limit ?? 50;
  const [from, to] = await Promise.all([planWithEntitlements(db, input.fromPlanId), planWithEntitlements(db, input.toPlanId)]);
  const [subs, total] = await Promise.all([
    db.subscription.findMany({
      where: { planId: from.id, ...(input.after ? { workspaceId: { gt: input.after } } : {}) },
      orderBy: { workspaceId: "asc" },
      take: limit + 1,
      select: { workspaceId: true },
    }),
    db.subscription.count({ where: { planId: from.id } }),
  ]);
  const page = subs.slice(0, limit).map((s) => s.workspaceId);
  const rows = await previewMoves(db, page, to, input.now);
  return { from, to, total, rows, next: subs.length > limit ? page[page.length - 1]! : null };
}

function assertMovable(from: { id: string }, to: { id: string; active: boolean; name: string; version: number }) {
  if (from.id === to.id) throw new AppError("invalid_request", "Choose another version to move to.", { field: "toPlanId" });
  if (!to.active) throw new AppError("invalid_request", `${planLabel(to)} is archived: it takes no new subscriptions.`, { field: "toPlanId" });
}

export interface ItemExpected {
  before: Terms;
  after: Terms;
  notes: string[];
  blocked: string | null;
}

const PAGE = 500;

/**
 * Freezes the preview of moving every subscription of `fromPlanId` to `toPlanId` as a new migration (blocked
 * workspaces are items already skipped, with the reason). A migration of the same pair not yet done is
 * returned instead, so a double submit starts one.
 */
export async function startMigration(db: PrismaClient, op: Operator, input: { fromPlanId: string; toPlanId: string; now?: Date }) {
  const now = input.now ?? new Date();
  const [from, to] = await Promise.all([planWithEntitlements(db, input.fromPlanId), planWithEntitlements(db, input.toPlanId)]);
  assertMovable(from, to);
  return db.$transaction(
    async (tx) => {
      // One creator per source version at a time: the check below then sees any migration just created.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`plan_migration:${from.id}`}))`;
      const open = await tx.planMigration.findFirst({ where: { fromPlanId: from.id, toPlanId: to.id, status: { not: "done" } } });
      if (open) return { migration: open, created: false };
      const migration = await tx.planMigration.create({ data: { fromPlanId: from.id, toPlanId: to.id, createdById: op.id, createdByEmail: op.email } });
      let after = "";
      let total = 0;
      for (;;) {
        const ids = (await tx.subscription.findMany({ where: { planId: from.id, workspaceId: { gt: after } }, orderBy: { workspaceId: "asc" }, take: PAGE, select: { workspaceId: true } })).map((s) => s.workspaceId);
        if (!ids.length) break;
        after = ids[ids.length - 1]!;
        const previews = await previewMoves(tx, ids, to, now);
        await tx.planMigrationItem.createMany({
          data: previews.map((p) => ({
            migrationId: migration.id, workspaceId: p.workspaceId, status: p.blocked ? "skipped" : "pending", error: p.blocked,
            expected: { before: p.before, after: p.after, notes: p.notes, blocked: p.blocked } satisfies ItemExpected as unknown as Prisma.InputJsonObject,
          })),
        });
        total += previews.length;
      }
      const started = await tx.planMigration.update({ where: { id: migration.id }, data: { total, skipped: await tx.planMigrationItem.count({ where: { migrationId: migration.id, status: "skipped" } }) } });
      await recordAudit(tx, { kind: "operator", id: op.id, email: op.email }, {
        action: "plan.migration_started", subjectType: "plan_migration", subjectId: migration.id,
        before: { plan: planLabel(from), planId: from.id }, after: { plan: planLabel(to), planId: to.id, workspaces: total },
      });
      return { migration: started, created: true };
    },
    { maxWait: 15_000, timeout: 120_000 },
  );
}

const LEASE_MS = 90_000;

/**
 * Runs a migration: moves its pending items in workspace order from the cursor, until none is left, or
 * `deadline` (epoch ms) passes, or `stopAfter` items were handled (then it stops as a killed run would,
 * between two items). Returns the migration's counts. A run while another holds the migration is refused.
 */
export async function runMigration(db: PrismaClient, op: Operator, input: { migrationId: string; deadline?: number; stopAfter?: number; now?: () => Date }) {
  const now = input.now ?? (() => new Date());
  const m = await db.planMigration.findUnique({ where: { id: input.migrationId } });
  if (!m) throw new AppError("not_found", "Migration not found.");
  if (m.status === "done") return summary(db, m.id);
  const claimed = await db.planMigration.updateMany({
    where: { id: m.id, status: { not: "done" }, OR: [{ leaseUntil: null }, { leaseUntil: { lt: new Date() } }] },
    data: { status: "running", leaseUntil: new Date(Date.now() + LEASE_MS) },
  });
  if (claimed.count === 0) throw new AppError("conflict", "This migration is running already; reload to see its progress.");
  try {
    // Nothing pending but some failed: this run retries them, from the start.
    if ((await db.planMigrationItem.count({ where: { migrationId: m.id, status: "pending" } })) === 0) {
      const retried = await db.planMigrationItem.updateMany({ where: { migrationId: m.id, status: "failed" }, data: { status: "pending" } });
      if (retried.count) await db.planMigration.update({ where: { id: m.id }, data: { cursor: null } });
    }
    let handled = 0;
    for (;;) {
      const { cursor } = await db.planMigration.findUniqueOrThrow({ where: { id: m.id }, select: { cursor: true } });
      const items = await db.planMigrationItem.findMany({
        where: { migrationId: m.id, status: "pending", ...(cursor ? { workspaceId: { gt: cursor } } : {}) },
        orderBy: { workspaceId: "asc" },
        take: 25,
      });
      if (!items.length) break;
      for (const item of items) {
        if ((input.stopAfter !== undefined && handled >= input.stopAfter) || (input.deadline !== undefined && Date.now() > input.deadline)) return summary(db, m.id);
        await db.planMigration.update({ where: { id: m.id }, data: { leaseUntil: new Date(Date.now() + LEASE_MS) } });
        await runItem(db, op, m, item.workspaceId, now());
        handled++;
      }
    }
    const left = await db.planMigrationItem.count({ where: { migrationId: m.id, status: { in: ["pending", "failed"] } } });
    if (left === 0) {
      await db.$transaction(async (tx) => {
        await tx.planMigration.update({ where: { id: m.id }, data: { status: "done", finishedAt: new Date() } });
        const s = await counts(tx, m.id);
        await recordAudit(tx, { kind: "operator", id: op.id, email: op.email }, {
          action: "plan.migration_finished", subjectType: "plan_migration", subjectId: m.id, after: s,
        });
      });
    } else {
      // Items failed: the next run starts over from the first of them.
      await db.planMigration.update({ where: { id: m.id }, data: { cursor: null } });
    }
    return summary(db, m.id);
  } finally {
    await db.planMigration.update({ where: { id: m.id }, data: { leaseUntil: null } });
  }
}

async function runItem(db: PrismaClient, op: Operator, m: { id: string; fromPlanId: string; toPlanId: string }, workspaceId: string, now: Date) {
  try {
    await moveWorkspace(db, op, { workspaceId, fromPlanId: m.fromPlanId, toPlanId: m.toPlanId, key: m.id, migrationId: m.id, now }, async (tx, r) => {
      await tx.planMigrationItem.update({
        where: { migrationId_workspaceId: { migrationId: m.id, workspaceId } },
        data: r.outcome === "skipped"
          ? { status: "skipped", error: r.reason, handledAt: now }
          : { status: "moved", actual: r.after as unknown as Prisma.InputJsonObject, error: null, handledAt: now },
      });
      await tx.planMigration.update({ where: { id: m.id }, data: { cursor: workspaceId } });
    });
  } catch (e) {
    // The move rolled back whole; the item is retried by a later run.
    const message = messageOf(e).slice(0, 500);
    await db.$transaction([
      db.planMigrationItem.update({ where: { migrationId_workspaceId: { migrationId: m.id, workspaceId } }, data: { status: "failed", error: message, handledAt: now } }),
      db.planMigration.update({ where: { id: m.id }, data: { cursor: workspaceId, lastError: message } }),
    ]);
  }
}

async function counts(db: Client, migrationId: string) {
  const groups = await db.planMigrationItem.groupBy({ by: ["status"], where: { migrationId }, _count: { _all: true } });
  const n = (s: string) => groups.find((g) => g.status === s)?._count._all ?? 0;
  return { pending: n("pending"), moved: n("moved"), skipped: n("skipped"), failed: n("failed") };
}

async function summary(db: PrismaClient, migrationId: string) {
  const c = await counts(db, migrationId);
  const m = await db.planMigration.update({ where: { id: migrationId }, data: { moved: c.moved, skipped: c.skipped, failed: c.failed } });
  return { migration: m, ...c };
}

/** A migration's items (expected and actual), a page at a time in workspace order. */
export async function migrationItems(db: Client, migrationId: string, input: { after?: string; limit?: number; status?: string } = {}) {
  const limit = input.limit ?? 50;
  const rows = await db.planMigrationItem.findMany({
    where: { migrationId, ...(input.status ? { status: input.status } : {}), ...(input.after ? { workspaceId: { gt: input.after } } : {}) },
    orderBy: { workspaceId: "asc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const names = await db.workspace.findMany({ where: { id: { in: page.map((r) => r.workspaceId) } }, select: { id: true, name: true } });
  const name = new Map(names.map((w) => [w.id, w.name]));
  return {
    items: page.map((r) => {
      const expected = r.expected as unknown as ItemExpected;
      const actual = (r.actual as unknown as Terms | null) ?? null;
      return { ...r, name: name.get(r.workspaceId) ?? r.workspaceId, expected, actual, matches: actual ? sameTerms(expected.after, actual) : null };
    }),
    next: rows.length > limit ? page[page.length - 1]!.workspaceId : null,
  };
}

/** The result equals the preview: same plan, interval, price, limits and window quotas. */
export function sameTerms(a: Terms, b: Terms): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

const sortKeys = (o: Record<string, string | null>) => Object.fromEntries(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));
// Keys in one order: a stored preview comes back from jsonb with its keys reordered.
const canonical = (t: Terms) => [t.planId, t.plan, t.interval, t.priceCents, t.currency, sortKeys(t.limits), sortKeys(t.windows)];

export type { MovePreview };
