import { Prisma } from "@/lib/generated/prisma/client";
import type { EntitlementKind, EntitlementPeriod, Overflow } from "@/lib/generated/prisma/enums";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { inTransaction, type Client } from "@/lib/db";
import { windowBounds, type Bounds, type Period, type PeriodAnchor } from "./periods";
import { entitlementWithOverride, overridesInForce, withOverrides } from "./overrides";
import { markStandingCount } from "./thresholds";
import { toDec } from "./units";

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
  interval: "month" | "year";
}

/**
 * Locks the workspace's subscription row: SHARE for window openers (they may run side by side),
 * UPDATE for resets and plan changes (which must not interleave with an opener's reading of the anchor).
 */
export async function lockSubscription(tx: Tx, workspaceId: string, mode: "share" | "update"): Promise<SubscriptionRow> {
  const rows = await tx.$queryRaw<SubscriptionRow[]>`
    SELECT "planId", "currentPeriodStart", "currentPeriodEnd", "periodAnchor", "interval"::text AS "interval" FROM "Subscription"
    WHERE "workspaceId" = ${workspaceId}
    ${mode === "share" ? Prisma.sql`FOR SHARE` : Prisma.sql`FOR UPDATE`}`;
  const row = rows[0];
  if (!row) throw new AppError("not_found", "Workspace not found.", { workspaceId });
  return row;
}

/** The plan's entitlement for `feature`; with `override`, its limit is the one in force then (one query either way). */
export async function entitlementOf(tx: Client, planId: string, feature: string, override?: { workspaceId: string; at: Date }) {
  const ent = override ? await entitlementWithOverride(tx, { planId, feature, ...override }) : await tx.entitlement.findUnique({ where: { planId_feature: { planId, feature } } });
  if (!ent) throw new AppError("invalid_request", `Unknown feature "${feature}" for this workspace's plan.`, { field: "feature", feature });
  return ent;
}

/**
 * Opens the window of (workspace, feature) that holds `now`, snapshotting the plan's quota (or an operator's
 * override in force then, see overrides.ts), overflow and version. Rolling over needs no cron: the first
 * event after a window's end calls this.
 * Never overlaps an earlier window: a window that a reset ended early is followed from its new end.
 * Concurrent openers compute the same bounds, and the unique (workspace, feature, periodStart) keeps one.
 */
export async function openWindow(db: Client, workspaceId: string, feature: string, now: Date): Promise<void> {
  await inTransaction(db, async (tx) => {
    const sub = await lockSubscription(tx, workspaceId, "share");
    const ent = await entitlementOf(tx, sub.planId, feature, { workspaceId, at: now });
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
    // An opener that committed after our look for an active window already holds `now`: its window ends where
    // ours would start. Inserting [start, start) would block the next period's window (same start): leave it.
    if (start >= end) return;
    await tx.$executeRaw`
      INSERT INTO "UsageWindow" (id, "workspaceId", feature, kind, period, "periodStart", "periodEnd", quota, used, overflow, "planId", "createdAt")
      VALUES (${crypto.randomUUID()}, ${workspaceId}, ${feature}, ${ent.kind}::"EntitlementKind", ${ent.period}::"EntitlementPeriod",
              ${start}, ${end}, ${ent.limit?.toFixed() ?? null}::numeric, 0, ${ent.overflow}::"Overflow", ${sub.planId}, ${now})
      ON CONFLICT ("workspaceId", feature, "periodStart") DO NOTHING`;
  });
}

/** Periods whose windows a new billing period restarts; day and lifetime windows never depend on it. */
const PERIOD_BOUND: readonly Period[] = ["week", "month", "billing_period"];

interface LockedRow {
  id: string;
  feature: string;
  kind: EntitlementKind;
  period: EntitlementPeriod;
  periodStart: Date;
  periodEnd: Date;
}

/** What a window of the new period is opened with: the current plan's entitlement. */
interface Template {
  kind: EntitlementKind;
  period: EntitlementPeriod;
  quota: string | null;
  overflow: Overflow;
  planId: string;
}

export interface PeriodReset {
  /** Windows of the old period ended early at the new start. */
  closedWindowIds: string[];
  /** Windows of the new period that now hold the events recorded at or after its start (opened or re-bounded). */
  openedWindowIds: string[];
  /** Windows opened before the new period was known (from the new start on) whose events moved, now deleted. */
  mergedWindowIds: string[];
  /** Threshold notifications the moved usage crossed in its new window: pending, to send after commit (the cron sends them otherwise). */
  notificationIds: string[];
}

/**
 * A new billing period began (Stripe's current_period_start moved to `periodStart`). In one transaction,
 * under the subscription row's lock (FOR UPDATE, so no window can be opened meanwhile), for each feature
 * with week, month or billing_period windows:
 * 1. the window that straddles the new start is cut there (its end = the new start);
 * 2. every event of those windows recorded at or after the new start is placed again, with every window
 *    that began at or after it (opened before the renewal was known: a fallback from the old period's
 *    rules, with the old plan's quota), into the windows the new period's rules give from the new start,
 *    each opened with the current plan's quota and overflow, lower (a downgrade at the period end) or
 *    higher. A new window is written where an event falls in it or where one of those windows already
 *    starts (that one is kept, re-bounded); the others are deleted, so one period's quota is given once
 *    and each event lies in its window's range;
 * 3. every touched window's counter is the sum of its events' quota units. Extras already debited stay
 *    as they were (an event keeps its split between quota and extras);
 * 4. threshold marks: the cut window keeps its own (they record what was notified); a deleted window's
 *    marks go to the new window holding its start (at most one per threshold), and a new window gets the
 *    marks (and pending notifications) for the thresholds its counter has reached.
 * Safe to repeat: the second run finds nothing to cut and rebuilds the same windows. Safe to race with
 * recordings: a recording changes one window row under that row's lock, and every window involved is
 * locked before its events are read, so an event is either committed and moved, or waits and then finds
 * the window it belongs to by time (a recording blocked on a deleted or re-bounded row tries again).
 */
export async function resetWindowsForPeriod(
  db: Client,
  input: { workspaceId: string; periodStart: Date; periodEnd?: Date; now?: Date },
): Promise<PeriodReset> {
  const now = input.now ?? new Date();
  const start = input.periodStart;
  return inTransaction(db, async (tx) => {
    const sub = await lockSubscription(tx, input.workspaceId, "update");
    await tx.subscription.update({
      where: { workspaceId: input.workspaceId },
      data: { currentPeriodStart: start, ...(input.periodEnd ? { currentPeriodEnd: input.periodEnd } : {}) },
    });
    const anchor: PeriodAnchor = { ...sub, currentPeriodStart: start, currentPeriodEnd: input.periodEnd ?? sub.currentPeriodEnd };
    const rows = await tx.$queryRaw<LockedRow[]>`
      SELECT id, feature, kind, period, "periodStart", "periodEnd" FROM "UsageWindow"
      WHERE "workspaceId" = ${input.workspaceId} AND period::text = ANY(${[...PERIOD_BOUND]}) AND "periodEnd" > ${start}
      ORDER BY feature, "periodStart"
      FOR UPDATE`;
    const out: PeriodReset = { closedWindowIds: [], openedWindowIds: [], mergedWindowIds: [], notificationIds: [] };
    if (!rows.length) return out;
    const ents = withOverrides(await tx.entitlement.findMany({ where: { planId: sub.planId } }), await overridesInForce(tx, input.workspaceId, now));
    const features = [...new Set(rows.map((r) => r.feature))];
    for (const feature of features) {
      const group = rows.filter((r) => r.feature === feature);
      const ent = ents.find((e) => e.feature === feature);
      // A feature whose new entitlement is gone or no longer period-bound keeps its old windows' terms.
      let template: Template;
      if (ent && PERIOD_BOUND.includes(ent.period)) {
        template = { kind: ent.kind, period: ent.period, quota: ent.limit?.toFixed() ?? null, overflow: ent.overflow, planId: sub.planId };
      } else {
        const w = await tx.usageWindow.findUniqueOrThrow({ where: { id: group[group.length - 1]!.id } });
        template = { kind: w.kind, period: w.period, quota: w.quota?.toFixed() ?? null, overflow: w.overflow, planId: w.planId };
      }
      await resetFeature(tx, { workspaceId: input.workspaceId, feature, start, now, anchor, group, template }, out);
    }
    return out;
  });
}

async function resetFeature(
  tx: Tx,
  input: { workspaceId: string; feature: string; start: Date; now: Date; anchor: PeriodAnchor; group: LockedRow[]; template: Template },
  out: PeriodReset,
): Promise<void> {
  const { workspaceId, feature, start, now, anchor, group, template } = input;
  const straddler = group.find((w) => w.periodStart < start);
  const later = group.filter((w) => w.periodStart >= start);
  if (straddler) {
    await tx.$executeRaw`UPDATE "UsageWindow" SET "periodEnd" = ${start}, "closedAt" = ${now} WHERE id = ${straddler.id}`;
    out.closedWindowIds.push(straddler.id);
  }
  // The events to place again: those of these windows recorded at or after the new start.
  const groupIds = group.map((w) => w.id);
  const [{ last } = { last: null }] = await tx.$queryRaw<{ last: Date | null }[]>`
    SELECT max("createdAt") AS last FROM "UsageEvent"
    WHERE "workspaceId" = ${workspaceId} AND "windowId" = ANY(${groupIds}) AND "createdAt" >= ${start}`;

  // The new period's windows from its start, as openWindow would open them now. One is written when an event
  // falls in it or a window already starts where it starts (kept, so a repeat finds everything in place).
  const reused = new Map(later.map((w) => [w.periodStart.getTime(), w.id]));
  const through = Math.max(last?.getTime() ?? -Infinity, ...later.map((w) => w.periodStart.getTime()));
  const spans: Bounds[] = [];
  for (let cursor = start; cursor.getTime() <= through; ) {
    const span = { start: cursor, end: windowBounds(template.period, cursor, anchor).end };
    let keep = reused.has(span.start.getTime());
    if (!keep && last && span.start <= last) {
      [{ keep } = { keep: false }] = await tx.$queryRaw<{ keep: boolean }[]>`
        SELECT EXISTS (SELECT 1 FROM "UsageEvent" WHERE "workspaceId" = ${workspaceId} AND "windowId" = ANY(${groupIds})
          AND "createdAt" >= ${span.start} AND "createdAt" < ${span.end}) AS keep`;
    }
    if (keep) spans.push(span);
    cursor = span.end;
  }

  const merged = later.filter((w) => !spans.some((s) => s.start.getTime() === w.periodStart.getTime()));
  const opened: { id: string; bounds: Bounds }[] = [];
  for (const s of spans) {
    let id = reused.get(s.start.getTime());
    if (id) {
      await tx.$executeRaw`
        UPDATE "UsageWindow" SET "periodEnd" = ${s.end}, kind = ${template.kind}::"EntitlementKind", period = ${template.period}::"EntitlementPeriod",
          quota = ${template.quota}::numeric, overflow = ${template.overflow}::"Overflow", "planId" = ${template.planId}, "closedAt" = NULL
        WHERE id = ${id}`;
    } else {
      id = crypto.randomUUID();
      await tx.$executeRaw`
        INSERT INTO "UsageWindow" (id, "workspaceId", feature, kind, period, "periodStart", "periodEnd", quota, used, overflow, "planId", "createdAt")
        VALUES (${id}, ${workspaceId}, ${feature}, ${template.kind}::"EntitlementKind", ${template.period}::"EntitlementPeriod",
                ${s.start}, ${s.end}, ${template.quota}::numeric, 0, ${template.overflow}::"Overflow", ${template.planId}, ${now})`;
    }
    await tx.$executeRaw`
      UPDATE "UsageEvent" SET "windowId" = ${id}
      WHERE "workspaceId" = ${workspaceId} AND "windowId" = ANY(${groupIds}) AND "windowId" <> ${id}
        AND "createdAt" >= ${s.start} AND "createdAt" < ${s.end}`;
    opened.push({ id, bounds: s });
  }

  for (const w of merged) {
    // Its marks follow its start into the new window holding it (one per threshold), else they go with it.
    const home = opened.find((o) => o.bounds.start <= w.periodStart && w.periodStart < o.bounds.end);
    if (home) {
      await tx.$executeRaw`
        UPDATE "ThresholdMark" m SET "windowId" = ${home.id}
        WHERE m."workspaceId" = ${workspaceId} AND m."windowId" = ${w.id}
          AND NOT EXISTS (SELECT 1 FROM "ThresholdMark" x WHERE x."workspaceId" = ${workspaceId} AND x."windowId" = ${home.id} AND x.percent = m.percent)`;
    }
    await tx.$executeRaw`DELETE FROM "ThresholdMark" WHERE "workspaceId" = ${workspaceId} AND "windowId" = ${w.id}`;
    out.mergedWindowIds.push(w.id);
  }
  if (merged.length) await tx.$executeRaw`DELETE FROM "UsageWindow" WHERE id = ANY(${merged.map((w) => w.id)})`;

  // Counters from the events they now hold.
  const touched = [...(straddler ? [straddler.id] : []), ...opened.map((o) => o.id)];
  if (!touched.length) return;
  const counters = await tx.$queryRaw<{ id: string; used: string; quota: string | null }[]>`
    UPDATE "UsageWindow" w SET used = COALESCE((SELECT sum(e."quotaUnits") FROM "UsageEvent" e WHERE e."workspaceId" = ${workspaceId} AND e."windowId" = w.id), 0)
    WHERE w.id = ANY(${touched})
    RETURNING w.id, w.used::text AS used, w.quota::text AS quota`;
  out.openedWindowIds.push(...opened.map((o) => o.id));
  for (const o of opened) {
    const c = counters.find((x) => x.id === o.id)!;
    const quota = c.quota === null ? null : toDec(c.quota);
    out.notificationIds.push(...(await markStandingCount(tx, { workspaceId, windowId: o.id, feature, kind: template.kind, used: toDec(c.used), quota, periodEnd: o.bounds.end, now })));
  }
}
