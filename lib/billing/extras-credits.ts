import { AppError } from "@/lib/errors";
import { inTransaction, type Client } from "@/lib/db";
import { appendEntries, lockExtrasAccount, planDebit, settleDebts, spendableLots, usableExtras, type CauseType, type EntryDraft, type LedgerEntryOut } from "./extras-ledger";
import { ZERO, formatUnits, parseUnits, toDec } from "./units";

// Credits and corrections of the extras ledger (topups, grants, operator adjustments) and the balance read.

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
  input: {
    workspaceId: string;
    invoiceId: string;
    units?: string | number;
    expiresAt?: Date | null;
    /** What paid the invoice: a refund (or dispute) of that payment takes the grant back in proportion to the cents. */
    payment?: { paymentIntentId: string; amountCents: number; currency: string } | null;
    now?: Date;
  },
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
      data: {
        workspaceId: input.workspaceId, source: "grant", sourceRef: input.invoiceId, units: units.toFixed(), remaining: 0, expiresAt, createdAt: now,
        ...(input.payment && input.payment.amountCents > 0 ? { paymentIntentId: input.payment.paymentIntentId, amountCents: input.payment.amountCents, currency: input.payment.currency } : {}),
      },
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
): Promise<{ created: boolean; balance: string; balanceBefore: string; entries: LedgerEntryOut[] }> {
  const now = input.now ?? new Date();
  const text = String(input.units).trim();
  const negative = text.startsWith("-");
  const units = parseUnits(negative ? text.slice(1) : text);
  if (!input.idempotencyKey) throw new AppError("invalid_request", "An adjustment needs an idempotency key.", { field: "idempotencyKey" });
  if (!input.memo?.trim()) throw new AppError("invalid_request", "An adjustment needs a memo saying why.", { field: "memo" });
  return inTransaction(db, async (tx) => {
    const account = await lockExtrasAccount(tx, input.workspaceId);
    // Read under the account's lock, so before and after differ by this adjustment alone.
    const balanceBefore = formatUnits(account.balance);
    const done = await tx.ledgerEntry.count({
      where: { workspaceId: input.workspaceId, kind: "adjustment", causeType: "operator", causeId: input.idempotencyKey },
    });
    if (done > 0) return { created: false, balance: balanceBefore, balanceBefore, entries: [] };
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
    return { created: true, balance: formatUnits(account.balance), balanceBefore, entries };
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
