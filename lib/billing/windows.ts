import { Prisma } from "@/lib/generated/prisma/client";
import type { EntitlementKind, EntitlementPeriod, Overflow } from "@/lib/generated/prisma/enums";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { inTransaction, type Client } from "./client";
import { windowBounds, type PeriodAnchor } from "./periods";

export interface ActiveWindow {
  id: string;
  kind: EntitlementKind;
  period: EntitlementPeriod;
  quota: string | null;
  used: string;
  overflow: Overflow;
  periodStart: Date;
  periodEnd: Date;
}

/** The window of (workspace, feature) whose range holds `now`, if one is open. */
export async function activeWindow(db: Client, workspaceId: string, feature: string, now: Date, lock = false): Promise<ActiveWindow | null> {
  const rows = await db.$queryRaw<ActiveWindow[]>`
    SELECT id, kind, period, quota::text AS quota, used::text AS used, overflow, "periodStart", "periodEnd"
    FROM "UsageWindow"
    WHERE "workspaceId" = ${workspaceId} AND feature = ${feature} AND "periodStart" <= ${now} AND "periodEnd" > ${now}
    ${lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`;
  return rows[0] ?? null;
}

interface SubscriptionRow {
  planId: string;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  periodAnchor: Date | null;
}

/**
 * Locks the workspace's subscription row: SHARE for window openers (they may run side by side),
 * UPDATE for resets and plan changes (which must not interleave with an opener's reading of the anchor).
 */
export async function lockSubscription(tx: Tx, workspaceId: string, mode: "share" | "update"): Promise<SubscriptionRow> {
  const rows = await tx.$queryRaw<SubscriptionRow[]>`
    SELECT "planId", "currentPeriodStart", "currentPeriodEnd", "periodAnchor" FROM "Subscription"
    WHERE "workspaceId" = ${workspaceId}
    ${mode === "share" ? Prisma.sql`FOR SHARE` : Prisma.sql`FOR UPDATE`}`;
  const row = rows[0];
  if (!row) throw new AppError("not_found", "Workspace not found.", { workspaceId });
  return row;
}

export async function entitlementOf(tx: Client, planId: string, feature: string) {
  const ent = await tx.entitlement.findUnique({ where: { planId_feature: { planId, feature } } });
  if (!ent) throw new AppError("invalid_request", `Unknown feature "${feature}" for this workspace's plan.`, { field: "feature", feature });
  return ent;
}

/**
 * Opens the window of (workspace, feature) that holds `now`, snapshotting the plan's quota, overflow and
 * version. Rolling over needs no cron: the first event after a window's end calls this.
 * Never overlaps an earlier window: a window that a reset ended early is followed from its new end.
 * Concurrent openers compute the same bounds, and the unique (workspace, feature, periodStart) keeps one.
 */
export async function openWindow(db: Client, workspaceId: string, feature: string, now: Date): Promise<void> {
  await inTransaction(db, async (tx) => {
    const sub = await lockSubscription(tx, workspaceId, "share");
    const ent = await entitlementOf(tx, sub.planId, feature);
    if (await activeWindow(tx, workspaceId, feature, now)) return;
    const bounds = windowBounds(ent.period, now, sub satisfies PeriodAnchor);
    let start = bounds.start;
    let end = bounds.end;
    const prev = await tx.usageWindow.findFirst({
      where: { workspaceId, feature, periodStart: { lte: now } },
      orderBy: { periodEnd: "desc" },
      select: { periodEnd: true },
    });
    if (prev && prev.periodEnd > start) start = prev.periodEnd;
    const next = await tx.usageWindow.findFirst({
      where: { workspaceId, feature, periodStart: { gt: now } },
      orderBy: { periodStart: "asc" },
      select: { periodStart: true },
    });
    if (next && next.periodStart < end) end = next.periodStart;
    await tx.$executeRaw`
      INSERT INTO "UsageWindow" (id, "workspaceId", feature, kind, period, "periodStart", "periodEnd", quota, used, overflow, "planId", "createdAt")
      VALUES (${crypto.randomUUID()}, ${workspaceId}, ${feature}, ${ent.kind}::"EntitlementKind", ${ent.period}::"EntitlementPeriod",
              ${start}, ${end}, ${ent.limit?.toFixed() ?? null}::numeric, 0, ${ent.overflow}::"Overflow", ${sub.planId}, ${now})
      ON CONFLICT ("workspaceId", feature, "periodStart") DO NOTHING`;
  });
}

/**
 * A new billing period began (Stripe's current_period_start moved): stores the period on the subscription
 * and ends every active week, month and billing_period window at `periodStart`, so the next event opens a
 * fresh window from there. Safe to repeat and safe to race with recordings: a recording increments exactly
 * one window row, chosen by time under that row's lock, so each unit lands in one window.
 * Returns the ids of the windows it ended.
 */
export async function resetWindowsForPeriod(
  db: Client,
  input: { workspaceId: string; periodStart: Date; periodEnd?: Date; now?: Date },
): Promise<{ closedWindowIds: string[] }> {
  const now = input.now ?? new Date();
  return inTransaction(db, async (tx) => {
    await lockSubscription(tx, input.workspaceId, "update");
    await tx.subscription.update({
      where: { workspaceId: input.workspaceId },
      data: { currentPeriodStart: input.periodStart, ...(input.periodEnd ? { currentPeriodEnd: input.periodEnd } : {}) },
    });
    const closed = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "UsageWindow" SET "periodEnd" = ${input.periodStart}, "closedAt" = ${now}
      WHERE "workspaceId" = ${input.workspaceId} AND period IN ('week', 'month', 'billing_period')
        AND "periodStart" < ${input.periodStart} AND "periodEnd" > ${input.periodStart}
      RETURNING id`;
    return { closedWindowIds: closed.map((r) => r.id) };
  });
}

/**
 * The subscription's plan changed (the caller has already stored the new planId). An upgrade applies at
 * once: every active window whose new limit is higher (or unlimited) gets the new quota, overflow and plan.
 * Lower limits wait for the next window (downgrades apply at period end) unless `lowerQuotas` is set,
 * e.g. when an unpaid workspace is moved to Free.
 */
export async function onPlanChanged(
  db: Client,
  input: { workspaceId: string; now?: Date; lowerQuotas?: boolean },
): Promise<{ changedWindowIds: string[] }> {
  const now = input.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const sub = await lockSubscription(tx, input.workspaceId, "update");
    const ents = await tx.entitlement.findMany({ where: { planId: sub.planId } });
    const windows = await tx.usageWindow.findMany({
      where: { workspaceId: input.workspaceId, periodStart: { lte: now }, periodEnd: { gt: now } },
    });
    const changed: string[] = [];
    for (const w of windows) {
      const ent = ents.find((e) => e.feature === w.feature);
      if (!ent) continue;
      const raises = ent.limit === null ? w.quota !== null : w.quota !== null && ent.limit.gt(w.quota);
      const lowers = ent.limit !== null && (w.quota === null || ent.limit.lt(w.quota));
      if (!raises && !(lowers && input.lowerQuotas)) continue;
      await tx.usageWindow.update({ where: { id: w.id }, data: { quota: ent.limit, overflow: ent.overflow, planId: sub.planId } });
      changed.push(w.id);
    }
    return { changedWindowIds: changed };
  });
}
