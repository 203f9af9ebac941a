import type { LedgerKind } from "@/lib/generated/prisma/enums";
import type { Tx } from "@/lib/db";
import { usableOf } from "./quota-rule";
import { AppError } from "@/lib/errors";
import { inTransaction, type Client } from "@/lib/db";
import { ZERO, formatUnits, minDec, parseUnits, toDec, type Dec } from "./units";

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

export interface LotResult {
  created: boolean;
  lotId: string;
  units: string;
  expiresAt: Date | null;
  balance: string;
  entries: LedgerEntryOut[];
}

const addDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);

/**
 * Credits a purchased pack: one lot and one topup entry per checkout session (or, for off-session
 * auto top-ups, per payment intent). Repeating it for the same session or payment intent changes nothing.
 * The new units first pay any debt a refund left (settlement entries under the same cause).
 */
export async function topupExtras(
  db: Client,
  input: {
    workspaceId: string;
    /** ExtrasPack id or key. */
    pack: string;
    checkoutSessionId?: string | null;
    paymentIntentId?: string | null;
    amountCents?: number | null;
    currency?: string | null;
    /** Overrides the pack's units (e.g. a quantity > 1); a positive decimal. */
    units?: string | number;
    expiresAt?: Date | null;
    now?: Date;
  },
): Promise<LotResult> {
  const now = input.now ?? new Date();
  const sourceRef = input.checkoutSessionId ?? input.paymentIntentId;
  if (!sourceRef) throw new AppError("invalid_request", "A topup needs its checkout session or payment intent.", { field: "checkoutSessionId" });
  const pack = await db.extrasPack.findFirst({ where: { OR: [{ id: input.pack }, { key: input.pack }] } });
  if (!pack) throw new AppError("not_found", `Unknown extras pack "${input.pack}".`, { field: "pack" });
  const units = input.units === undefined ? toDec(pack.units) : parseUnits(input.units);
  return inTransaction(db, async (tx) => {
    const account = await lockExtrasAccount(tx, input.workspaceId);
    const existing = await tx.extrasLot.findFirst({
      where: {
        OR: [
          { workspaceId: input.workspaceId, source: "topup", sourceRef },
          ...(input.checkoutSessionId ? [{ checkoutSessionId: input.checkoutSessionId }] : []),
          ...(input.paymentIntentId ? [{ paymentIntentId: input.paymentIntentId }] : []),
        ],
      },
    });
    if (existing) {
      if (existing.workspaceId !== input.workspaceId) {
        throw new AppError("conflict", "This payment already credited another workspace.", { sourceRef });
      }
      return { created: false, lotId: existing.id, units: formatUnits(existing.units), expiresAt: existing.expiresAt, balance: formatUnits(account.balance), entries: [] };
    }
    const expiresAt = input.expiresAt === undefined ? addDays(now, pack.expiresAfterDays) : input.expiresAt;
    const lot = await tx.extrasLot.create({
      data: {
        workspaceId: input.workspaceId, source: "topup", sourceRef, packId: pack.id, units: units.toFixed(), remaining: 0, expiresAt,
        checkoutSessionId: input.checkoutSessionId ?? null, paymentIntentId: input.paymentIntentId ?? null,
        amountCents: input.amountCents ?? pack.priceCents, currency: input.currency ?? pack.currency, createdAt: now,
      },
    });
    const causeType: CauseType = input.checkoutSessionId ? "checkout_session" : "payment_intent";
    const entries = await appendEntries(tx, account, [{ lotId: lot.id, kind: "topup", units, causeType, causeId: sourceRef }], now);
    entries.push(...(await settleDebts(tx, account, causeType, sourceRef, now)));
    return { created: true, lotId: lot.id, units: formatUnits(units), expiresAt, balance: formatUnits(account.balance), entries };
  });
}

/**
 * Grants the plan's extras for one paid invoice (subscription start, renewal, upgrade): its own lot and
 * expiry, once per invoice. Units and expiry default to the subscription's plan version (grantUnits,
 * grantExpiresDays); a plan that grants nothing writes nothing. Like a topup, it first pays any debt.
 */
export async function grantExtras(
  db: Client,
  input: { workspaceId: string; invoiceId: string; units?: string | number; expiresAt?: Date | null; now?: Date },
): Promise<LotResult | null> {
  const now = input.now ?? new Date();
  const sub = await db.subscription.findUnique({ where: { workspaceId: input.workspaceId }, include: { plan: true } });
  if (!sub) throw new AppError("not_found", "Workspace not found.", { workspaceId: input.workspaceId });
  const units = input.units === undefined ? toDec(sub.plan.grantUnits) : parseUnits(input.units);
  if (units.lte(0)) return null;
  const expiresAt =
    input.expiresAt !== undefined ? input.expiresAt : sub.plan.grantExpiresDays === null ? null : addDays(now, sub.plan.grantExpiresDays);
  return inTransaction(db, async (tx) => {
    const account = await lockExtrasAccount(tx, input.workspaceId);
    const existing = await tx.extrasLot.findUnique({
      where: { workspaceId_source_sourceRef: { workspaceId: input.workspaceId, source: "grant", sourceRef: input.invoiceId } },
    });
    if (existing) {
      return { created: false, lotId: existing.id, units: formatUnits(existing.units), expiresAt: existing.expiresAt, balance: formatUnits(account.balance), entries: [] };
    }
    const lot = await tx.extrasLot.create({
      data: { workspaceId: input.workspaceId, source: "grant", sourceRef: input.invoiceId, units: units.toFixed(), remaining: 0, expiresAt, createdAt: now },
    });
    const entries = await appendEntries(tx, account, [{ lotId: lot.id, kind: "grant", units, causeType: "invoice", causeId: input.invoiceId }], now);
    entries.push(...(await settleDebts(tx, account, "invoice", input.invoiceId, now)));
    return { created: true, lotId: lot.id, units: formatUnits(units), expiresAt, balance: formatUnits(account.balance), entries };
  });
}

/**
 * An operator's correction, once per idempotency key. A credit opens its own lot (optionally expiring) and
 * first pays any debt; a debit takes from the lots soonest-expiring first and is refused beyond what they hold.
 */
export async function adjustExtras(
  db: Client,
  input: { workspaceId: string; units: string | number; idempotencyKey: string; memo: string; expiresAt?: Date | null; now?: Date },
): Promise<{ created: boolean; balance: string; entries: LedgerEntryOut[] }> {
  const now = input.now ?? new Date();
  const text = String(input.units).trim();
  const negative = text.startsWith("-");
  const units = parseUnits(negative ? text.slice(1) : text);
  if (!input.idempotencyKey) throw new AppError("invalid_request", "An adjustment needs an idempotency key.", { field: "idempotencyKey" });
  if (!input.memo?.trim()) throw new AppError("invalid_request", "An adjustment needs a memo saying why.", { field: "memo" });
  return inTransaction(db, async (tx) => {
    const account = await lockExtrasAccount(tx, input.workspaceId);
    const done = await tx.ledgerEntry.count({
      where: { workspaceId: input.workspaceId, kind: "adjustment", causeType: "operator", causeId: input.idempotencyKey },
    });
    if (done > 0) return { created: false, balance: formatUnits(account.balance), entries: [] };
    let drafts: EntryDraft[];
    if (negative) {
      drafts = planDebit(await spendableLots(tx, input.workspaceId, now), units, "adjustment", "operator", input.idempotencyKey).map((d) => ({
        ...d,
        memo: input.memo,
      }));
    } else {
      const lot = await tx.extrasLot.create({
        data: {
          workspaceId: input.workspaceId, source: "adjustment", sourceRef: input.idempotencyKey, units: units.toFixed(), remaining: 0,
          expiresAt: input.expiresAt ?? null, createdAt: now,
        },
      });
      drafts = [{ lotId: lot.id, kind: "adjustment", units, causeType: "operator", causeId: input.idempotencyKey, memo: input.memo }];
    }
    const entries = await appendEntries(tx, account, drafts, now);
    if (!negative) entries.push(...(await settleDebts(tx, account, "operator", input.idempotencyKey, now)));
    return { created: true, balance: formatUnits(account.balance), entries };
  }).catch((e) => {
    if (e instanceof AppError && e.code === "quota_exhausted") {
      throw new AppError("invalid_request", "The adjustment takes more than the workspace's spendable extras.", e.details);
    }
    throw e;
  });
}

/** The current extras balance (may be negative) and what can pay right now. */
export async function extrasBalance(db: Client, workspaceId: string, now = new Date()): Promise<{ balance: string; usable: string }> {
  const account = await db.extrasAccount.findUnique({ where: { workspaceId }, select: { balance: true } });
  const balance = account ? toDec(account.balance) : ZERO;
  const usable = usableExtras(balance, await spendableLots(db, workspaceId, now));
  return { balance: formatUnits(balance), usable: formatUnits(usable) };
}
