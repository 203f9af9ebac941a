import type { LedgerKind } from "@/lib/generated/prisma/enums";
import type { Client, Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { usableOf } from "./quota-rule";
import { ZERO, formatUnits, minDec, toDec, type Dec } from "./units";

// The extras ledger. Every write takes the workspace's ExtrasAccount row lock first, then touches lots:
// that one order (window -> account -> lots) is what keeps concurrent debits, topups, refunds and
// expirations free of deadlocks, and what makes balanceAfter and seq a true running sum.
//
// Debt netting: a refund can leave a lot negative (its units were already spent). That debt is paid at
// once from the workspace's spendable lots, and whatever is left is paid by the next credit before it
// can be spent (settleDebts). So a workspace never holds a negative lot beside an unexpired positive one,
// and expiring a lot's positive remainder never takes a debt a second time.

export type CauseType = "checkout_session" | "payment_intent" | "invoice" | "usage_event" | "refund" | "failed_refund" | "expiry" | "operator" | "dispute" | "dispute_won" | "dispute_lost";

export interface LockedAccount {
  workspaceId: string;
  balance: Dec;
  lastSeq: number;
  autoTopUpEnabled: boolean;
  autoTopUpThreshold: Dec | null;
  autoTopUpPackId: string | null;
  autoTopUpMonthlyCap: number;
}

interface AccountRow {
  workspaceId: string;
  balance: string;
  lastSeq: number;
  autoTopUpEnabled: boolean;
  autoTopUpThreshold: string | null;
  autoTopUpPackId: string | null;
  autoTopUpMonthlyCap: number;
}

/** Locks (creating it if a workspace somehow lacks one) the workspace's extras account for this transaction. */
export async function lockExtrasAccount(tx: Tx, workspaceId: string): Promise<LockedAccount> {
  for (let i = 0; i < 2; i++) {
    const rows = await tx.$queryRaw<AccountRow[]>`
      SELECT "workspaceId", balance::text AS balance, "lastSeq", "autoTopUpEnabled", "autoTopUpThreshold"::text AS "autoTopUpThreshold",
             "autoTopUpPackId", "autoTopUpMonthlyCap"
      FROM "ExtrasAccount" WHERE "workspaceId" = ${workspaceId} FOR UPDATE`;
    const row = rows[0];
    if (row) {
      return {
        ...row,
        balance: toDec(row.balance),
        autoTopUpThreshold: row.autoTopUpThreshold === null ? null : toDec(row.autoTopUpThreshold),
      };
    }
    const ws = await tx.workspace.findUnique({ where: { id: workspaceId }, select: { id: true } });
    if (!ws) throw new AppError("not_found", "Workspace not found.", { workspaceId });
    await tx.$executeRaw`INSERT INTO "ExtrasAccount" ("workspaceId", "updatedAt") VALUES (${workspaceId}, now()) ON CONFLICT DO NOTHING`;
  }
  throw new AppError("billing_unavailable", "The extras account could not be opened.");
}

export interface EntryDraft {
  lotId: string;
  kind: LedgerKind;
  /** Signed: credits positive, debits negative. */
  units: Dec;
  causeType: CauseType;
  causeId: string;
  memo?: string | null;
}

export interface LedgerEntryOut {
  id: string;
  seq: number;
  lotId: string;
  kind: LedgerKind;
  units: string;
  balanceAfter: string;
  causeType: string;
  causeId: string;
}

/**
 * Appends entries for a locked account: numbers them, computes balanceAfter as the running sum, moves each
 * entry's lot by its units (a lot's remaining is the sum of its entries) and updates the cached balance,
 * all inside the caller's transaction. Mutates `account` so further appends continue the sequence.
 * A zero entry is kept on purpose (a refund of units that had all expired still records that refund).
 */
export async function appendEntries(tx: Tx, account: LockedAccount, drafts: EntryDraft[], now: Date): Promise<LedgerEntryOut[]> {
  const out: LedgerEntryOut[] = [];
  let balance = account.balance;
  let seq = account.lastSeq;
  for (const d of drafts) {
    balance = balance.plus(d.units);
    seq += 1;
    out.push({
      id: crypto.randomUUID(),
      seq,
      lotId: d.lotId,
      kind: d.kind,
      units: formatUnits(d.units),
      balanceAfter: formatUnits(balance),
      causeType: d.causeType,
      causeId: d.causeId,
    });
  }
  if (!out.length) return out;
  await tx.ledgerEntry.createMany({
    data: out.map((e, i) => ({ ...e, workspaceId: account.workspaceId, memo: drafts[i]?.memo ?? null, createdAt: now })),
  });
  for (const e of out) {
    await tx.$executeRaw`UPDATE "ExtrasLot" SET remaining = remaining + ${e.units}::numeric WHERE id = ${e.lotId} AND "workspaceId" = ${account.workspaceId}`;
  }
  await tx.$executeRaw`
    UPDATE "ExtrasAccount" SET balance = ${formatUnits(balance)}::numeric, "lastSeq" = ${seq}, "updatedAt" = ${now}
    WHERE "workspaceId" = ${account.workspaceId}`;
  account.balance = balance;
  account.lastSeq = seq;
  return out;
}

export interface SpendableLot {
  id: string;
  remaining: Dec;
  expiresAt: Date | null;
}

/** Lots that can pay now, in spending order: soonest expiry first, never-expiring last, then oldest. */
export async function spendableLots(tx: Client, workspaceId: string, now: Date): Promise<SpendableLot[]> {
  const rows = await tx.$queryRaw<{ id: string; remaining: string; expiresAt: Date | null }[]>`
    SELECT id, remaining::text AS remaining, "expiresAt" FROM "ExtrasLot"
    WHERE "workspaceId" = ${workspaceId} AND remaining > 0 AND "expiredAt" IS NULL AND ("expiresAt" IS NULL OR "expiresAt" > ${now})
    ORDER BY "expiresAt" ASC NULLS LAST, "createdAt" ASC, id ASC`;
  return rows.map((r) => ({ ...r, remaining: toDec(r.remaining) }));
}

/**
 * Extras that can pay right now. A negative balance (a refund clawed back units already spent) covers
 * nothing until it is positive again, and a lot past its expiry pays nothing even before the cron expires it.
 */
export function usableExtras(balance: Dec, lots: SpendableLot[]): Dec {
  return usableOf({ balance, spendable: lots.reduce((s, l) => s.plus(l.remaining), ZERO) });
}

/** Entries that take `units` from the lots, soonest-expiring first: one entry per lot touched. */
export function planDebit(lots: SpendableLot[], units: Dec, kind: LedgerKind, causeType: CauseType, causeId: string): EntryDraft[] {
  const drafts: EntryDraft[] = [];
  let need = units;
  for (const lot of lots) {
    if (need.lte(0)) break;
    const take = minDec(lot.remaining, need);
    drafts.push({ lotId: lot.id, kind, units: take.neg(), causeType, causeId });
    need = need.minus(take);
  }
  if (need.gt(0)) throw new AppError("quota_exhausted", "Not enough extras.", { missing: formatUnits(need) });
  return drafts;
}

export interface IndebtedLot {
  id: string;
  /** Negative: what the lot owes. */
  remaining: Dec;
}

/** Lots holding debt, oldest first: the order the next credits pay them in. */
export async function indebtedLots(tx: Client, workspaceId: string): Promise<IndebtedLot[]> {
  const rows = await tx.$queryRaw<{ id: string; remaining: string }[]>`
    SELECT id, remaining::text AS remaining FROM "ExtrasLot"
    WHERE "workspaceId" = ${workspaceId} AND remaining < 0
    ORDER BY "createdAt" ASC, id ASC`;
  return rows.map((r) => ({ id: r.id, remaining: toDec(r.remaining) }));
}

/**
 * Settlement entries that pay the debtors' debt from the payers (in the orders given) as far as the payers
 * hold. One entry per lot touched, all of kind `settlement` under the one cause: minus on each paying lot,
 * plus on each indebted lot, summing to zero, so the balance does not move. (One entry per lot and cause is
 * what the ledger's unique key allows; with one payer and one debtor it is a plain pair.)
 */
export function planSettlement(debtors: IndebtedLot[], payers: SpendableLot[], causeType: CauseType, causeId: string): EntryDraft[] {
  const paid = new Map<string, Dec>();
  const received = new Map<string, Dec>();
  const left = payers.map((p) => p.remaining);
  let p = 0;
  for (const debtor of debtors) {
    let debt = debtor.remaining.neg();
    while (debt.gt(0) && p < payers.length) {
      const take = minDec(debt, left[p]!);
      const payer = payers[p]!.id;
      paid.set(payer, (paid.get(payer) ?? ZERO).plus(take));
      received.set(debtor.id, (received.get(debtor.id) ?? ZERO).plus(take));
      debt = debt.minus(take);
      left[p] = left[p]!.minus(take);
      if (left[p]!.lte(0)) p++;
    }
    if (p >= payers.length) break;
  }
  const drafts: EntryDraft[] = [];
  const lots = (ids: Iterable<string>) => {
    const list = [...ids];
    return `${list.length > 1 ? "lots" : "lot"} ${list.join(", ")}`;
  };
  for (const [lotId, units] of paid) drafts.push({ lotId, kind: "settlement", units: units.neg(), causeType, causeId, memo: `Paid the debt of another pack (${lots(received.keys())})` });
  for (const [lotId, units] of received) drafts.push({ lotId, kind: "settlement", units, causeType, causeId, memo: `Debt settled from another pack (${lots(paid.keys())})` });
  return drafts;
}

/**
 * Pays what indebted lots owe from the lots that can spend now (soonest-expiring first), inside the
 * caller's transaction and under its account lock. Every write that adds spendable units or debt calls it
 * (credits, clawbacks, a failed refund's give-back), with that write's own cause.
 */
export async function settleDebts(tx: Tx, account: LockedAccount, causeType: CauseType, causeId: string, now: Date): Promise<LedgerEntryOut[]> {
  const debtors = await indebtedLots(tx, account.workspaceId);
  if (!debtors.length) return [];
  const payers = await spendableLots(tx, account.workspaceId, now);
  if (!payers.length) return [];
  return appendEntries(tx, account, planSettlement(debtors, payers, causeType, causeId), now);
}
