import { Prisma } from "@/lib/generated/prisma/client";
import type { Client } from "./client";

export interface Violation {
  check:
    | "ledger_sum_equals_balance"
    | "ledger_running_balance"
    | "lot_remaining_equals_entries"
    | "window_used_equals_events"
    | "window_within_quota"
    | "event_split_adds_up"
    | "event_extras_equal_debits"
    | "event_in_one_window";
  workspaceId: string;
  /** The row the violation is about (account = workspace id, lot, window, event or entry id). */
  id: string;
  expected: string;
  actual: string;
}

/**
 * Checks the books; an empty list means they hold. Run by tests after each scenario and by the reconcile cron.
 * - ledger sum = cached balance, per workspace; each entry's balanceAfter = the running sum in seq order, seq 1..n
 * - each lot's remaining = the sum of its entries
 * - each window's counter = the sum of its events' quota units; block and extras windows never exceed their quota
 * - each event: quotaUnits + extrasUnits = units; its extras = what its debit entries took; it lies in its window's range
 * Each usage event is one row, unique per (workspace, idempotency key), so the sums above count it once.
 */
export async function checkInvariants(db: Client, opts: { workspaceId?: string } = {}): Promise<Violation[]> {
  const ws = (col: string) => (opts.workspaceId ? Prisma.sql`AND ${Prisma.raw(col)} = ${opts.workspaceId}` : Prisma.empty);
  const queries: Promise<Violation[]>[] = [
    db.$queryRaw<Violation[]>`
      SELECT 'ledger_sum_equals_balance' AS "check", a."workspaceId", a."workspaceId" AS id,
             a.balance::text AS expected, COALESCE(s.total, 0)::text AS actual
      FROM "ExtrasAccount" a
      LEFT JOIN (SELECT "workspaceId", sum(units) AS total FROM "LedgerEntry" GROUP BY "workspaceId") s ON s."workspaceId" = a."workspaceId"
      WHERE a.balance <> COALESCE(s.total, 0) ${ws(`a."workspaceId"`)}`,
    db.$queryRaw<Violation[]>`
      SELECT 'ledger_running_balance' AS "check", x."workspaceId", x.id,
             x.running::text || ' at seq ' || x.rn::text AS expected, x."balanceAfter"::text || ' at seq ' || x.seq::text AS actual
      FROM (
        SELECT e.id, e."workspaceId", e.seq, e."balanceAfter",
               sum(e.units) OVER w AS running, row_number() OVER w AS rn
        FROM "LedgerEntry" e
        WHERE true ${ws(`e."workspaceId"`)}
        WINDOW w AS (PARTITION BY e."workspaceId" ORDER BY e.seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
      ) x
      WHERE x.running <> x."balanceAfter" OR x.rn <> x.seq`,
    db.$queryRaw<Violation[]>`
      SELECT 'lot_remaining_equals_entries' AS "check", l."workspaceId", l.id,
             COALESCE(s.total, 0)::text AS expected, l.remaining::text AS actual
      FROM "ExtrasLot" l
      LEFT JOIN (SELECT "lotId", sum(units) AS total FROM "LedgerEntry" GROUP BY "lotId") s ON s."lotId" = l.id
      WHERE l.remaining <> COALESCE(s.total, 0) ${ws(`l."workspaceId"`)}`,
    db.$queryRaw<Violation[]>`
      SELECT 'window_used_equals_events' AS "check", w."workspaceId", w.id,
             COALESCE(s.total, 0)::text AS expected, w.used::text AS actual
      FROM "UsageWindow" w
      LEFT JOIN (SELECT "windowId", sum("quotaUnits") AS total FROM "UsageEvent" GROUP BY "windowId") s ON s."windowId" = w.id
      WHERE w.used <> COALESCE(s.total, 0) ${ws(`w."workspaceId"`)}`,
    db.$queryRaw<Violation[]>`
      SELECT 'window_within_quota' AS "check", w."workspaceId", w.id, '<= ' || w.quota::text AS expected, w.used::text AS actual
      FROM "UsageWindow" w
      WHERE w.overflow <> 'soft' AND w.quota IS NOT NULL AND (w.used > w.quota OR w.used < 0) ${ws(`w."workspaceId"`)}`,
    db.$queryRaw<Violation[]>`
      SELECT 'event_split_adds_up' AS "check", e."workspaceId", e.id, e.units::text AS expected, (e."quotaUnits" + e."extrasUnits")::text AS actual
      FROM "UsageEvent" e
      WHERE e.units <> e."quotaUnits" + e."extrasUnits" ${ws(`e."workspaceId"`)}`,
    db.$queryRaw<Violation[]>`
      SELECT 'event_extras_equal_debits' AS "check", e."workspaceId", e.id, e."extrasUnits"::text AS expected, COALESCE(-d.total, 0)::text AS actual
      FROM "UsageEvent" e
      LEFT JOIN (SELECT "workspaceId", "causeId", sum(units) AS total FROM "LedgerEntry" WHERE "causeType" = 'usage_event' GROUP BY "workspaceId", "causeId") d
        ON d."workspaceId" = e."workspaceId" AND d."causeId" = e.id
      WHERE e."extrasUnits" <> COALESCE(-d.total, 0) ${ws(`e."workspaceId"`)}`,
    db.$queryRaw<Violation[]>`
      SELECT 'event_extras_equal_debits' AS "check", d."workspaceId", d."causeId" AS id, 'a usage event' AS expected, 'no such event' AS actual
      FROM "LedgerEntry" d LEFT JOIN "UsageEvent" e ON e.id = d."causeId" AND e."workspaceId" = d."workspaceId"
      WHERE d."causeType" = 'usage_event' AND e.id IS NULL ${ws(`d."workspaceId"`)}`,
    db.$queryRaw<Violation[]>`
      SELECT 'event_in_one_window' AS "check", e."workspaceId", e.id, 'a window of ' || e.feature AS expected, COALESCE(w.id, 'none') AS actual
      FROM "UsageEvent" e LEFT JOIN "UsageWindow" w ON w.id = e."windowId"
      WHERE (w.id IS NULL OR w."workspaceId" <> e."workspaceId" OR w.feature <> e.feature) ${ws(`e."workspaceId"`)}`,
  ];
  return (await Promise.all(queries)).flat();
}
