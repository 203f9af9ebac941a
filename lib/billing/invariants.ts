import { Prisma } from "@/lib/generated/prisma/client";
import type { Client } from "@/lib/db";

/**
 * Every rule the checker holds the books to, with its severity: critical when money is wrong (balances,
 * lots, debits), warning for the rest (quota windows, subscriptions).
 */
export const INVARIANT_SEVERITY = {
  ledger_sum_equals_balance: "critical",
  ledger_running_balance: "critical",
  lots_sum_equals_balance: "critical",
  lot_remaining_equals_entries: "critical",
  lot_credit_equals_units: "critical",
  expired_lot_holds_nothing: "critical",
  debt_netted: "critical",
  debt_charged_twice: "critical",
  settlement_pairs_balance: "critical",
  dispute_gives_back_at_most_frozen: "critical",
  event_split_adds_up: "critical",
  event_extras_equal_debits: "critical",
  window_used_equals_events: "warning",
  window_within_quota: "warning",
  event_in_one_window: "warning",
  event_in_window_range: "warning",
  window_not_empty: "warning",
  one_live_subscription: "warning",
} as const;

export type InvariantCheck = keyof typeof INVARIANT_SEVERITY;
export type InvariantSeverity = (typeof INVARIANT_SEVERITY)[InvariantCheck];

export interface Violation {
  check: InvariantCheck;
  severity: InvariantSeverity;
  workspaceId: string;
  /** The row the violation is about (account = workspace id, lot, window, event, entry, settlement cause or subscription id). */
  id: string;
  expected: string;
  actual: string;
}

type Row = Omit<Violation, "severity">;

const iso = (col: string) => Prisma.raw(`to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/**
 * Checks the books; an empty list means they hold. Run after every integration test file, by the reconcile
 * cron (recordInvariantRun) and by the chaos tests and benchmarks.
 * Ledger and lots (critical):
 * - ledger sum = cached balance = sum of lot remainders, per workspace; each entry's balanceAfter = the running
 *   sum in seq order, seq 1..n
 * - each lot's remaining = the sum of its entries (credits minus debits, expirations, refunds and settlements),
 *   and its own credit entry (topup, grant or adjustment, by its source) = its units
 * - debt is netted: a workspace never holds a lot in debt while another lot can still pay (positive, not expired,
 *   not past its expiry at the workspace's last ledger movement), and an expired lot holds nothing spendable
 *   (remaining <= 0 once expiredAt is set); and through the ledger's history, no debit or expiry took units
 *   from a lot that could pay while another lot's debt was unpaid
 * - settlements move units between lots without moving the balance: the entries of one settlement (same cause)
 *   have both signs and sum to zero
 * - a dispute's entries on its lot freeze (minus) and, if it is won, give back at most what they froze; a
 *   dispute ends won or lost once, and a lost one moves nothing
 * - each event: quotaUnits + extrasUnits = units; its extras = what its debit entries took
 * Windows and subscriptions (warning):
 * - each window's counter = the sum of its events' quota units; block and extras windows stay within their quota,
 *   except for what they had used when the quota was lowered (see window_within_quota)
 * - each event lies in a window of its feature and inside that window's range [periodStart, periodEnd)
 * - one live subscription per workspace, as far as the rows can tell: no Stripe subscription mirrored on two
 *   workspaces, or checked out for one and mirrored on another; no workspace mirrors one cancelled as a duplicate
 * Each usage event is one row, unique per (workspace, idempotency key), so the sums above count it once.
 */
export async function checkInvariants(db: Client, opts: { workspaceId?: string } = {}): Promise<Violation[]> {
  const ws = (col: string) => (opts.workspaceId ? Prisma.sql`AND ${Prisma.raw(col)} = ${opts.workspaceId}` : Prisma.empty);
  // Each extras account's cached balance against a per-workspace sum (of ledger entries, or of lot remainders).
  const balanceEqualsSum = (check: string, sumFrom: string) => db.$queryRaw<Row[]>`
      SELECT ${check} AS "check", a."workspaceId", a."workspaceId" AS id,
             trim_scale(a.balance)::text AS expected, trim_scale(COALESCE(s.total, 0))::text AS actual
      FROM "ExtrasAccount" a
      LEFT JOIN (SELECT "workspaceId", ${Prisma.raw(sumFrom)} GROUP BY "workspaceId") s ON s."workspaceId" = a."workspaceId"
      WHERE a.balance <> COALESCE(s.total, 0) ${ws(`a."workspaceId"`)}`;
  const queries: Promise<Row[]>[] = [
    // ---------------------------------------------------------------- ledger and lots
    balanceEqualsSum("ledger_sum_equals_balance", `sum(units) AS total FROM "LedgerEntry"`),
    db.$queryRaw<Row[]>`
      SELECT 'ledger_running_balance' AS "check", x."workspaceId", x.id,
             trim_scale(x.running)::text || ' at seq ' || x.rn::text AS expected, trim_scale(x."balanceAfter")::text || ' at seq ' || x.seq::text AS actual
      FROM (
        SELECT e.id, e."workspaceId", e.seq, e."balanceAfter",
               sum(e.units) OVER w AS running, row_number() OVER w AS rn
        FROM "LedgerEntry" e
        WHERE true ${ws(`e."workspaceId"`)}
        WINDOW w AS (PARTITION BY e."workspaceId" ORDER BY e.seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
      ) x
      WHERE x.running <> x."balanceAfter" OR x.rn <> x.seq`,
    // Catches entries on a missing lot or on another workspace's lot, which the per-lot sums alone would not.
    balanceEqualsSum("lots_sum_equals_balance", `sum(remaining) AS total FROM "ExtrasLot"`),
    db.$queryRaw<Row[]>`
      SELECT 'lot_remaining_equals_entries' AS "check", l."workspaceId", l.id,
             trim_scale(COALESCE(s.total, 0))::text AS expected, trim_scale(l.remaining)::text AS actual
      FROM "ExtrasLot" l
      LEFT JOIN (SELECT "lotId", sum(units) AS total FROM "LedgerEntry" GROUP BY "lotId") s ON s."lotId" = l.id
      WHERE l.remaining <> COALESCE(s.total, 0) ${ws(`l."workspaceId"`)}`,
    // A lot is opened by exactly one credit of its own kind (a topup lot by its topup entry, and so on);
    // everything else on it (debits, refunds, expiry, settlements, give-backs) is accounted in its remaining.
    db.$queryRaw<Row[]>`
      SELECT 'lot_credit_equals_units' AS "check", l."workspaceId", l.id,
             trim_scale(l.units)::text AS expected, trim_scale(COALESCE(c.total, 0))::text || ' in ' || COALESCE(c.n, 0)::text || ' credit entries' AS actual
      FROM "ExtrasLot" l
      LEFT JOIN (
        SELECT e."lotId", e.kind::text AS kind, sum(e.units) AS total, count(*) AS n FROM "LedgerEntry" e
        WHERE e.kind::text IN ('topup', 'grant', 'adjustment') AND e.units > 0 GROUP BY e."lotId", e.kind
      ) c ON c."lotId" = l.id AND c.kind = l.source::text
      WHERE (l.units <> COALESCE(c.total, 0) OR COALESCE(c.n, 0) <> 1) ${ws(`l."workspaceId"`)}`,
    db.$queryRaw<Row[]>`
      SELECT 'expired_lot_holds_nothing' AS "check", l."workspaceId", l.id,
             '<= 0 after expiry at ' || ${iso(`l."expiredAt"`)} AS expected, trim_scale(l.remaining)::text AS actual
      FROM "ExtrasLot" l
      WHERE l."expiredAt" IS NOT NULL AND l.remaining > 0 ${ws(`l."workspaceId"`)}`,
    // Debt netting: a clawback's debt is settled at once from the lots that can still pay, and later credits
    // settle what is left before they can be spent, so a lot in debt next to a lot that can pay means the
    // debt will be charged again (by spending or expiring the paying lot). "Can pay" is judged at the
    // workspace's last ledger movement (the time its lots last changed, which is the engine's clock, not
    // this checker's): a lot past its expiry then, which the cron had not expired yet, could not pay.
    // Time passing afterwards only makes lots unable to pay, so this needs no clock of its own.
    db.$queryRaw<Row[]>`
      SELECT 'debt_netted' AS "check", l."workspaceId", l.id,
             'no lot able to pay while this lot owes ' || trim_scale(-l.remaining)::text AS expected,
             trim_scale(sum(p.remaining))::text || ' spendable in ' || count(*)::text || ' other lots at '
               || ${iso(`t.at`)} AS actual
      FROM "ExtrasLot" l
      JOIN (SELECT "workspaceId", max("createdAt") AS at FROM "LedgerEntry" GROUP BY "workspaceId") t ON t."workspaceId" = l."workspaceId"
      JOIN "ExtrasLot" p ON p."workspaceId" = l."workspaceId" AND p.remaining > 0 AND p."expiredAt" IS NULL
        AND (p."expiresAt" IS NULL OR p."expiresAt" > t.at)
      WHERE l.remaining < 0 ${ws(`l."workspaceId"`)}
      GROUP BY l."workspaceId", l.id, l.remaining, t.at`,
    // The same rule through history, so a debt charged twice is still seen once the paying lot is spent or
    // expired: no debit or expiry may take units from a lot while another lot's debt is unpaid, unless that
    // lot could not pay at the movement before (past its expiry then, so not able to settle the debt).
    // The workspace's unpaid debt before each entry is the running sum of each entry's change to it
    // (min(0, lot after) - min(0, lot before)). Debits and expiries only ever follow a boundary between
    // money movements or other debits and expiries, never a clawback of the same transaction, so the state
    // they follow is one that must already hold.
    db.$queryRaw<Row[]>`
      WITH lots AS (
        SELECT e.id, e."workspaceId", e.seq, e."lotId", e.kind::text AS kind, e.units, e."createdAt",
               sum(e.units) OVER (PARTITION BY e."lotId" ORDER BY e.seq) AS after
        FROM "LedgerEntry" e WHERE true ${ws(`e."workspaceId"`)}
      ), debt AS (
        SELECT x.*, LEAST(x.after, 0) - LEAST(x.after - x.units, 0) AS change,
               lag(x."createdAt") OVER (PARTITION BY x."workspaceId" ORDER BY x.seq) AS "prevAt"
        FROM lots x
      ), before AS (
        SELECT d.*, COALESCE(sum(d.change) OVER (PARTITION BY d."workspaceId" ORDER BY d.seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS owed
        FROM debt d
      )
      SELECT 'debt_charged_twice' AS "check", b."workspaceId", b.id,
             'no debit or expiry while ' || trim_scale(-b.owed)::text || ' units of debt are unpaid' AS expected,
             b.kind || ' of ' || trim_scale(-b.units)::text || ' from lot ' || b."lotId" || ' at seq ' || b.seq::text AS actual
      FROM before b JOIN "ExtrasLot" l ON l.id = b."lotId"
      WHERE b.kind IN ('debit', 'expiration') AND b.units < 0 AND b.owed < 0 AND b."prevAt" IS NOT NULL
        AND (l."expiresAt" IS NULL OR l."expiresAt" > b."prevAt")`,
    db.$queryRaw<Row[]>`
      SELECT 'settlement_pairs_balance' AS "check", e."workspaceId", e."causeType" || ':' || e."causeId" AS id,
             'entries of both signs summing to 0' AS expected,
             trim_scale(sum(e.units))::text || ' over ' || count(*) FILTER (WHERE e.units < 0)::text || ' paying and '
               || count(*) FILTER (WHERE e.units > 0)::text || ' settled entries' AS actual
      FROM "LedgerEntry" e
      WHERE e.kind = 'settlement' ${ws(`e."workspaceId"`)}
      GROUP BY e."workspaceId", e."causeType", e."causeId"
      HAVING sum(e.units) <> 0 OR count(*) FILTER (WHERE e.units < 0) = 0 OR count(*) FILTER (WHERE e.units > 0) = 0`,
    db.$queryRaw<Row[]>`
      SELECT 'dispute_gives_back_at_most_frozen' AS "check", e."workspaceId", e."lotId" || ':' || e."causeId" AS id,
             'a freeze <= 0, then at most one ending: given back between 0 and the frozen units, or lost with 0' AS expected,
             'frozen ' || trim_scale(-COALESCE(sum(e.units) FILTER (WHERE e."causeType" = 'dispute'), 0))::text
               || ', given back ' || trim_scale(COALESCE(sum(e.units) FILTER (WHERE e."causeType" = 'dispute_won'), 0))::text
               || ', lost ' || trim_scale(COALESCE(sum(e.units) FILTER (WHERE e."causeType" = 'dispute_lost'), 0))::text
               || ' in ' || count(*) FILTER (WHERE e."causeType" IN ('dispute_won', 'dispute_lost'))::text || ' endings' AS actual
      FROM "LedgerEntry" e
      WHERE e.kind = 'dispute' ${ws(`e."workspaceId"`)}
      GROUP BY e."workspaceId", e."lotId", e."causeId"
      HAVING COALESCE(sum(e.units) FILTER (WHERE e."causeType" = 'dispute'), 0) > 0
          OR COALESCE(sum(e.units) FILTER (WHERE e."causeType" = 'dispute_won'), 0) < 0
          OR COALESCE(sum(e.units) FILTER (WHERE e."causeType" = 'dispute_won'), 0) > -COALESCE(sum(e.units) FILTER (WHERE e."causeType" = 'dispute'), 0)
          OR COALESCE(sum(e.units) FILTER (WHERE e."causeType" = 'dispute_lost'), 0) <> 0
          OR count(*) FILTER (WHERE e."causeType" IN ('dispute_won', 'dispute_lost')) > 1
          OR count(*) FILTER (WHERE e."causeType" NOT IN ('dispute', 'dispute_won', 'dispute_lost')) > 0`,
    // ---------------------------------------------------------------- events and their debits
    db.$queryRaw<Row[]>`
      SELECT 'event_split_adds_up' AS "check", e."workspaceId", e.id, trim_scale(e.units)::text AS expected, trim_scale(e."quotaUnits" + e."extrasUnits")::text AS actual
      FROM "UsageEvent" e
      WHERE e.units <> e."quotaUnits" + e."extrasUnits" ${ws(`e."workspaceId"`)}`,
    db.$queryRaw<Row[]>`
      SELECT 'event_extras_equal_debits' AS "check", e."workspaceId", e.id, trim_scale(e."extrasUnits")::text AS expected, trim_scale(COALESCE(-d.total, 0))::text AS actual
      FROM "UsageEvent" e
      LEFT JOIN (SELECT "workspaceId", "causeId", sum(units) AS total FROM "LedgerEntry" WHERE "causeType" = 'usage_event' GROUP BY "workspaceId", "causeId") d
        ON d."workspaceId" = e."workspaceId" AND d."causeId" = e.id
      WHERE e."extrasUnits" <> COALESCE(-d.total, 0) ${ws(`e."workspaceId"`)}`,
    db.$queryRaw<Row[]>`
      SELECT 'event_extras_equal_debits' AS "check", d."workspaceId", d."causeId" AS id, 'a usage event' AS expected, 'no such event' AS actual
      FROM "LedgerEntry" d LEFT JOIN "UsageEvent" e ON e.id = d."causeId" AND e."workspaceId" = d."workspaceId"
      WHERE d."causeType" = 'usage_event' AND e.id IS NULL ${ws(`d."workspaceId"`)}`,
    // ---------------------------------------------------------------- windows
    db.$queryRaw<Row[]>`
      SELECT 'window_used_equals_events' AS "check", w."workspaceId", w.id,
             trim_scale(COALESCE(s.total, 0))::text AS expected, trim_scale(w.used)::text AS actual
      FROM "UsageWindow" w
      LEFT JOIN (SELECT "windowId", sum("quotaUnits") AS total FROM "UsageEvent" GROUP BY "windowId") s ON s."windowId" = w.id
      WHERE w.used <> COALESCE(s.total, 0) ${ws(`w."workspaceId"`)}`,
    // A window may be over its quota only by units that were not admitted against that quota: what it had
    // already used when the quota was lowered (a downgrade applied at once, a move to Free), and events moved
    // in from the window they were recorded in (a renewal). Database triggers keep that figure in
    // usedAtQuotaChange (see the schema). Units recorded after a change must fit in what the new quota left,
    // max(0, quota - usedAtQuotaChange), that is used <= max(quota, usedAtQuotaChange).
    // Windows older than that column (null) are held to their quota.
    db.$queryRaw<Row[]>`
      SELECT 'window_within_quota' AS "check", w."workspaceId", w.id,
             '<= ' || trim_scale(GREATEST(w.quota, COALESCE(w."usedAtQuotaChange", w.quota)))::text || ' (quota ' || trim_scale(w.quota)::text || ')' AS expected,
             trim_scale(w.used)::text AS actual
      FROM "UsageWindow" w
      WHERE w.overflow <> 'soft' AND w.quota IS NOT NULL
        AND (w.used > GREATEST(w.quota, COALESCE(w."usedAtQuotaChange", w.quota)) OR w.used < 0) ${ws(`w."workspaceId"`)}`,
    db.$queryRaw<Row[]>`
      SELECT 'event_in_one_window' AS "check", e."workspaceId", e.id, 'a window of ' || e.feature AS expected, COALESCE(w.id, 'none') AS actual
      FROM "UsageEvent" e LEFT JOIN "UsageWindow" w ON w.id = e."windowId"
      WHERE (w.id IS NULL OR w."workspaceId" <> e."workspaceId" OR w.feature <> e.feature) ${ws(`e."workspaceId"`)}`,
    // An event counts in the window that contains its time; one outside its window's range was counted
    // against the wrong window's quota (e.g. a window left open over a period that a renewal cut).
    db.$queryRaw<Row[]>`
      SELECT 'event_in_window_range' AS "check", e."workspaceId", e.id,
             'in [' || ${iso(`w."periodStart"`)} || ', ' || ${iso(`w."periodEnd"`)} || ') of window ' || w.id AS expected,
             ${iso(`e."createdAt"`)} AS actual
      FROM "UsageEvent" e JOIN "UsageWindow" w ON w.id = e."windowId"
      WHERE (e."createdAt" < w."periodStart" OR e."createdAt" >= w."periodEnd") ${ws(`e."workspaceId"`)}`,
    // A window with no time in it holds no usage, and its start blocks the window that should open there.
    db.$queryRaw<Row[]>`
      SELECT 'window_not_empty' AS "check", w."workspaceId", w.id, 'an end after ' || ${iso(`w."periodStart"`)} AS expected, ${iso(`w."periodEnd"`)} AS actual
      FROM "UsageWindow" w
      WHERE w."periodEnd" <= w."periodStart" ${ws(`w."workspaceId"`)}`,
    // ---------------------------------------------------------------- subscriptions
    // One live subscription per workspace. The schema keeps one Subscription row per workspace (the one it
    // mirrors) and a SubscriptionCheckout row per completed subscription checkout, marked superseded once it
    // was cancelled as a duplicate of the kept one. Whether a Stripe subscription is live is only known at
    // Stripe, so what is checked here is what the rows can say: no Stripe subscription is mirrored on two
    // workspaces or checked out for one and mirrored on another, and no workspace mirrors a duplicate.
    db.$queryRaw<Row[]>`
      SELECT 'one_live_subscription' AS "check", s."workspaceId", s.id,
             'the only workspace on ' || s."stripeSubscriptionId" AS expected,
             'also on ' || string_agg(o."workspaceId", ', ' ORDER BY o."workspaceId") AS actual
      FROM "Subscription" s JOIN "Subscription" o ON o."stripeSubscriptionId" = s."stripeSubscriptionId" AND o.id <> s.id
      WHERE true ${ws(`s."workspaceId"`)}
      GROUP BY s.id, s."workspaceId", s."stripeSubscriptionId"`,
    db.$queryRaw<Row[]>`
      SELECT 'one_live_subscription' AS "check", c."workspaceId", c."checkoutSessionId" AS id,
             c."stripeSubscriptionId" || ' mirrored by its own workspace' AS expected, 'mirrored by ' || s."workspaceId" AS actual
      FROM "SubscriptionCheckout" c JOIN "Subscription" s ON s."stripeSubscriptionId" = c."stripeSubscriptionId"
      WHERE s."workspaceId" <> c."workspaceId" ${ws(`c."workspaceId"`)}`,
    db.$queryRaw<Row[]>`
      SELECT 'one_live_subscription' AS "check", s."workspaceId", c."stripeSubscriptionId" AS id,
             'the kept subscription ' || c."supersededBy" AS expected, c."stripeSubscriptionId" || ', cancelled as a duplicate' AS actual
      FROM "Subscription" s JOIN "SubscriptionCheckout" c ON c."stripeSubscriptionId" = s."stripeSubscriptionId"
      WHERE c."supersededBy" IS NOT NULL ${ws(`s."workspaceId"`)}`,
  ];
  return (await Promise.all(queries)).flat().map((r) => ({ ...r, severity: INVARIANT_SEVERITY[r.check] }));
}
