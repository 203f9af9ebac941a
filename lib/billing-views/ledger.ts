import type { Client } from "@/lib/db";
import type { LedgerKind, Prisma } from "@/lib/generated/prisma/client";
import { formatUnits } from "@/lib/billing/units";
import { LEDGER_KIND_WORDS } from "@/lib/format";

export const LEDGER_KINDS = ["topup", "grant", "debit", "refund", "expiration", "adjustment", "settlement", "dispute"] as const satisfies readonly LedgerKind[];

/** Each kind in words, as the filter and the CSV's readers know it. */
export const LEDGER_KIND_LABELS: Record<LedgerKind, string> = LEDGER_KIND_WORDS;

/**
 * One entry's kind in words, where the sign changes its meaning: a settlement pays a refund's debt from
 * another pack (minus on the pack that pays, plus on the pack that owed), and a positive refund entry is
 * a failed refund giving its units back.
 */
export function describeEntryKind(row: Pick<LedgerRow, "kind" | "units" | "causeType">): string {
  const negative = row.units.startsWith("-");
  if (row.kind === "settlement") return negative ? "Paid the debt of another pack" : "Debt settled from another pack";
  if (row.kind === "refund" && row.causeType === "failed_refund") return "Refund failed, units given back";
  if (row.kind === "dispute") return row.causeType === "dispute_won" ? "Dispute won, units given back" : row.causeType === "dispute_lost" ? "Dispute lost, units stay out" : "Frozen: payment disputed";
  return LEDGER_KIND_LABELS[row.kind] ?? row.kind;
}

export interface LedgerRow {
  id: string;
  seq: number;
  createdAt: Date;
  kind: LedgerKind;
  /** Signed exact decimal: credits positive, debits negative. */
  units: string;
  balanceAfter: string;
  causeType: string;
  causeId: string;
  lotId: string;
  memo: string | null;
}

/**
 * A position between two entries in (createdAt desc, seq desc) order. seq, not id, breaks ties: one
 * transaction writes several entries with the same createdAt, and seq is the order their balances were
 * computed in (cuids are not), so "balance after" always reads as a running sum.
 */
export interface LedgerCursor {
  createdAt: Date;
  seq: number;
}

export interface LedgerPageQuery {
  workspaceId: string;
  kinds?: readonly LedgerKind[];
  /** Entries strictly older than this position (the next page). */
  after?: LedgerCursor;
  /** Entries strictly newer than this position (the previous page). */
  before?: LedgerCursor;
  limit?: number;
}

export interface LedgerPage {
  entries: LedgerRow[];
  /** Set when older entries exist past the last one shown. */
  older: LedgerCursor | null;
  /** Set when newer entries exist before the first one shown. */
  newer: LedgerCursor | null;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 200;

export function isLedgerKind(value: string): value is LedgerKind {
  return (LEDGER_KINDS as readonly string[]).includes(value);
}

const kindFilter = (kinds?: readonly LedgerKind[]): Prisma.LedgerEntryWhereInput => (kinds && kinds.length ? { kind: { in: [...kinds] } } : {});

// Keyset conditions on (createdAt, seq): rows inserted while someone pages never shift the pages
// already computed, which OFFSET would do. The plain bound on createdAt next to the OR selects nothing
// more; it lets the (workspaceId, createdAt) index start at the cursor instead of at the newest (or
// oldest) entry, so a deep page costs what the first one does.
const olderThan = (c: LedgerCursor): Prisma.LedgerEntryWhereInput => ({
  createdAt: { lte: c.createdAt },
  OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, seq: { lt: c.seq } }],
});
const newerThan = (c: LedgerCursor): Prisma.LedgerEntryWhereInput => ({
  createdAt: { gte: c.createdAt },
  OR: [{ createdAt: { gt: c.createdAt } }, { createdAt: c.createdAt, seq: { gt: c.seq } }],
});

const NEWEST_FIRST = [{ createdAt: "desc" }, { seq: "desc" }] satisfies Prisma.LedgerEntryOrderByWithRelationInput[];
const OLDEST_FIRST = [{ createdAt: "asc" }, { seq: "asc" }] satisfies Prisma.LedgerEntryOrderByWithRelationInput[];

const toRow = (e: Prisma.LedgerEntryGetPayload<object>): LedgerRow => ({
  id: e.id,
  seq: e.seq,
  createdAt: e.createdAt,
  kind: e.kind,
  units: formatUnits(e.units),
  balanceAfter: formatUnits(e.balanceAfter),
  causeType: e.causeType,
  causeId: e.causeId,
  lotId: e.lotId,
  memo: e.memo,
});

const cursorOf = (row: LedgerRow): LedgerCursor => ({ createdAt: row.createdAt, seq: row.seq });

/** One page of a workspace's ledger, newest first, optionally limited to some kinds. */
export async function ledgerPage(db: Client, query: LedgerPageQuery): Promise<LedgerPage> {
  const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE);
  const base: Prisma.LedgerEntryWhereInput = { workspaceId: query.workspaceId, ...kindFilter(query.kinds) };
  if (query.before && !query.after) {
    // Walk upwards from the cursor, then flip back to newest first.
    const rows = await db.ledgerEntry.findMany({
      where: { AND: [base, newerThan(query.before)] },
      orderBy: OLDEST_FIRST,
      take: limit + 1,
    });
    const hasNewer = rows.length > limit;
    const entries = rows.slice(0, limit).reverse().map(toRow);
    return {
      entries,
      newer: hasNewer && entries[0] ? cursorOf(entries[0]) : null,
      older: entries.length ? cursorOf(entries[entries.length - 1]!) : query.before,
    };
  }
  const { entries, older } = await olderPage(db, base, query.after, limit);
  let newer: LedgerCursor | null = null;
  if (query.after && entries[0]) {
    // Ordered so the probe starts at the cursor too: unordered, it may read the table from its oldest rows.
    const probe = await db.ledgerEntry.findFirst({ where: { AND: [base, newerThan(cursorOf(entries[0]))] }, orderBy: OLDEST_FIRST, select: { id: true } });
    if (probe) newer = cursorOf(entries[0]);
  }
  return { entries, older, newer };
}

async function olderPage(db: Client, base: Prisma.LedgerEntryWhereInput, after: LedgerCursor | undefined, limit: number) {
  const rows = await db.ledgerEntry.findMany({
    where: after ? { AND: [base, olderThan(after)] } : base,
    orderBy: NEWEST_FIRST,
    take: limit + 1,
  });
  const entries = rows.slice(0, limit).map(toRow);
  const last = entries[entries.length - 1];
  return { entries, older: rows.length > limit && last ? cursorOf(last) : null };
}

/** Every entry matching the filter, newest first, fetched in keyset batches so a large export never sits in memory. */
export async function* ledgerEntries(db: Client, query: { workspaceId: string; kinds?: readonly LedgerKind[]; batchSize?: number }): AsyncGenerator<LedgerRow> {
  const base: Prisma.LedgerEntryWhereInput = { workspaceId: query.workspaceId, ...kindFilter(query.kinds) };
  let after: LedgerCursor | undefined;
  for (;;) {
    const page = await olderPage(db, base, after, query.batchSize ?? 1000);
    yield* page.entries;
    if (!page.older) return;
    after = page.older;
  }
}

/** URL form of a cursor: "<epoch ms>.<seq>". */
export function encodeCursor(c: LedgerCursor): string {
  return `${c.createdAt.getTime()}.${c.seq}`;
}

// What the columns hold: seq is a 32-bit integer, createdAt a time up to the year 9999.
const MAX_SEQ = 2_147_483_647;
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A cursor from the URL, or undefined for anything this page did not write (a hand-edited one reads from the start). */
export function decodeCursor(text: string | undefined | null): LedgerCursor | undefined {
  const m = text ? /^(\d{1,15})\.(\d{1,10})$/.exec(text) : null;
  if (!m) return undefined;
  const [time, seq] = [Number(m[1]), Number(m[2])];
  if (time > MAX_TIME || seq > MAX_SEQ) return undefined;
  return { createdAt: new Date(time), seq };
}
