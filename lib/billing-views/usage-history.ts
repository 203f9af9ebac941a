import type { Client } from "@/lib/db";
import { formatUnits, toDec } from "@/lib/billing/units";
import { cumulativeInWindows } from "./usage-cumulative";

export interface DailySeries {
  feature: string;
  /** One exact decimal per day of `days`, "0" on days without usage. */
  totals: string[];
  sum: string;
  /** Per day: units used so far in the quota window in effect at the day's end, and that window's quota. */
  cumulative: string[];
  quota: (string | null)[];
}

export interface DailyUsage {
  /** UTC days, oldest first, as YYYY-MM-DD. */
  days: string[];
  series: DailySeries[];
}

const DAY_MS = 86_400_000;
const dayKey = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Metered usage per feature and UTC day over the last `days` days (today included). Gauges (seats,
 * projects) are levels rather than flows, so they are left out. Sums are done by PostgreSQL on
 * NUMERIC and come back as text: exact.
 */
export async function dailyUsage(db: Client, workspaceId: string, opts: { days?: number; now?: Date } = {}): Promise<DailyUsage> {
  const count = opts.days ?? 30;
  const now = opts.now ?? new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = new Date(today - (count - 1) * DAY_MS);
  const to = new Date(today + DAY_MS);
  const days = Array.from({ length: count }, (_, i) => dayKey(new Date(from.getTime() + i * DAY_MS)));
  // Every window that overlaps the range, for the running total per period and its quota line.
  const windows = await db.usageWindow.findMany({
    where: { workspaceId, kind: "meter", periodEnd: { gt: from }, periodStart: { lt: to } },
    select: { id: true, feature: true, periodStart: true, periodEnd: true, quota: true },
  });
  const [inRange, carried] = await Promise.all([
    db.$queryRaw<{ feature: string; windowId: string; day: string; units: string }[]>`
      SELECT e.feature, e."windowId", to_char(date_trunc('day', e."createdAt"), 'YYYY-MM-DD') AS day, sum(e.units)::text AS units
      FROM "UsageEvent" e
      JOIN "UsageWindow" w ON w.id = e."windowId" AND w."workspaceId" = e."workspaceId"
      WHERE e."workspaceId" = ${workspaceId} AND e."createdAt" >= ${from} AND e."createdAt" < ${to} AND w.kind = 'meter'
      GROUP BY 1, 2, 3`,
    // A window that began before the range carries what it used before the range's first day; the empty
    // day sorts before every day, so it counts in the running total and in no day's bar.
    windows.length
      ? db.$queryRaw<{ feature: string; windowId: string; day: string; units: string }[]>`
          SELECT feature, "windowId", '' AS day, sum(units)::text AS units FROM "UsageEvent"
          WHERE "workspaceId" = ${workspaceId} AND "windowId" = ANY(${windows.map((w) => w.id)}) AND "createdAt" < ${from}
          GROUP BY 1, 2`
      : Promise.resolve([]),
  ]);
  const rows = [...carried, ...inRange];
  const features = [...new Set(inRange.map((r) => r.feature))].sort((a, b) => a.localeCompare(b));
  const series = features.map((feature) => {
    const mine = rows.filter((r) => r.feature === feature);
    const totals = days.map((d) => formatUnits(mine.filter((r) => r.day === d).reduce((acc, r) => acc.add(toDec(r.units)), toDec(0))));
    const sum = totals.reduce((acc, t) => acc.add(toDec(t)), toDec(0));
    const spans = windows.filter((w) => w.feature === feature).map((w) => ({ ...w, quota: w.quota === null ? null : formatUnits(w.quota) }));
    const points = cumulativeInWindows(days, spans, mine);
    return { feature, totals, sum: formatUnits(sum), cumulative: points.map((p) => p.cumulative), quota: points.map((p) => p.quota) };
  });
  return { days, series };
}

export interface WindowBreakdown {
  feature: string;
  periodStart: Date;
  periodEnd: Date;
  used: string;
  quota: string | null;
  byAction: { action: string | null; events: number; units: string }[];
  top: { id: string; createdAt: Date; units: string; action: string | null; idempotencyKey: string }[];
}

/** For each active metered window: usage grouped by the events' metadata `action`, and its largest events. */
export async function currentWindowBreakdown(db: Client, workspaceId: string, now = new Date(), topN = 5): Promise<WindowBreakdown[]> {
  const windows = await db.usageWindow.findMany({
    where: { workspaceId, kind: "meter", periodStart: { lte: now }, periodEnd: { gt: now } },
    orderBy: { feature: "asc" },
  });
  if (!windows.length) return [];
  const ids = windows.map((w) => w.id);
  const [groups, top] = await Promise.all([
    db.$queryRaw<{ windowId: string; action: string | null; events: number; units: string }[]>`
      SELECT "windowId", metadata->>'action' AS action, count(*)::int AS events, sum(units)::text AS units
      FROM "UsageEvent" WHERE "workspaceId" = ${workspaceId} AND "windowId" = ANY(${ids})
      GROUP BY 1, 2 ORDER BY sum(units) DESC, action ASC NULLS LAST`,
    db.$queryRaw<{ windowId: string; id: string; createdAt: Date; units: string; action: string | null; idempotencyKey: string }[]>`
      SELECT "windowId", id, "createdAt", units::text AS units, metadata->>'action' AS action, "idempotencyKey"
      FROM (SELECT *, row_number() OVER (PARTITION BY "windowId" ORDER BY units DESC, "createdAt" DESC, id DESC) AS rank
            FROM "UsageEvent" WHERE "workspaceId" = ${workspaceId} AND "windowId" = ANY(${ids})) ranked
      WHERE rank <= ${topN} ORDER BY ranked.units DESC, ranked."createdAt" DESC, ranked.id DESC`,
  ]);
  return windows.map((w) => ({
    feature: w.feature,
    periodStart: w.periodStart,
    periodEnd: w.periodEnd,
    used: formatUnits(w.used),
    quota: w.quota === null ? null : formatUnits(w.quota),
    byAction: groups.filter((g) => g.windowId === w.id).map((g) => ({ action: g.action, events: g.events, units: formatUnits(g.units) })),
    top: top.filter((t) => t.windowId === w.id).map((t) => ({ id: t.id, createdAt: t.createdAt, units: formatUnits(t.units), action: t.action, idempotencyKey: t.idempotencyKey })),
  }));
}

export interface UsageEventDetail {
  id: string;
  feature: string;
  createdAt: Date;
  units: string;
  quotaUnits: string;
  extrasUnits: string;
  idempotencyKey: string;
  metadata: unknown;
  ledger: { id: string; kind: string; units: string; balanceAfter: string }[];
}

/** One usage event of this workspace (another workspace's id reads as not found) with the ledger entries it caused. */
export async function usageEventDetail(db: Client, workspaceId: string, id: string): Promise<UsageEventDetail | null> {
  const e = await db.usageEvent.findFirst({ where: { id, workspaceId } });
  if (!e) return null;
  // Debits are the only entries a usage event causes; naming the kind lets the (kind, cause, lot) unique index find them.
  const entries = await db.ledgerEntry.findMany({ where: { workspaceId, kind: "debit", causeType: "usage_event", causeId: id }, orderBy: { seq: "asc" } });
  return {
    id: e.id,
    feature: e.feature,
    createdAt: e.createdAt,
    units: formatUnits(e.units),
    quotaUnits: formatUnits(e.quotaUnits),
    extrasUnits: formatUnits(e.extrasUnits),
    idempotencyKey: e.idempotencyKey,
    metadata: e.metadata,
    ledger: entries.map((l) => ({ id: l.id, kind: l.kind, units: formatUnits(l.units), balanceAfter: formatUnits(l.balanceAfter) })),
  };
}
