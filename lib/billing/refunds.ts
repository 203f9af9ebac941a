import { AppError } from "@/lib/errors";
import { inTransaction, type Client } from "@/lib/db";
import { closeExpiredLots } from "./extras-expire";
import { appendEntries, lockExtrasAccount, settleDebts, type LedgerEntryOut } from "./extras-ledger";
import { ZERO, formatUnits, maxDec, minDec, roundUnits, toDec, type Dec } from "./units";

/** Stripe refund statuses whose units are taken back: the money is on its way to the customer. */
export const CLAWBACK_STATUSES = ["pending", "requires_action", "succeeded"] as const;
/** Stripe refund statuses that end a refund without paying it: units taken back are given back. */
export const GIVE_BACK_STATUSES = ["failed", "canceled"] as const;

/**
 * Units to claw back for refunding `cents` more of a lot bought for `amountCents` of which
 * `refundedCents` were refunded before. Computed on the cumulative amount and differenced, so partial
 * refunds that add up to the full price claw back exactly the lot's units, never a rounding unit more or less.
 */
export function proportionalClawback(units: Dec, amountCents: number, refundedCents: number, cents: number): Dec {
  const before = roundUnits(units.times(refundedCents).div(amountCents));
  const after = roundUnits(units.times(refundedCents + cents).div(amountCents));
  return after.minus(before);
}

function checkCents(amountCents: number): void {
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) {
    throw new AppError("invalid_request", "amountCents must be a positive whole number of cents.", { field: "amountCents" });
  }
}

async function lotOfPayment(db: Client, paymentIntentId: string) {
  const found = await db.extrasLot.findUnique({ where: { paymentIntentId }, select: { id: true, workspaceId: true } });
  if (!found) throw new AppError("not_found", "No extras purchase for this payment.", { paymentIntentId });
  return found;
}

/** What left a lot other than by spending: expiry, refund clawbacks and dispute freezes, net of what was given back. */
export async function unitsTakenFromLot(tx: Client, lot: { id: string; workspaceId: string }): Promise<Dec> {
  // By workspace first: no index starts with the lot, and without it this reads the whole ledger.
  const sums = await tx.ledgerEntry.groupBy({
    by: ["kind"],
    where: { workspaceId: lot.workspaceId, lotId: lot.id, kind: { in: ["expiration", "refund", "dispute"] } },
    _sum: { units: true },
  });
  return sums.reduce((s, g) => s.plus(g._sum.units ? toDec(g._sum.units).neg() : ZERO), ZERO);
}

export interface RefundResult {
  created: boolean;
  /** Units this call took back (clawback) or gave back (failed refund); "0" when nothing changed. */
  units: string;
  balance: string;
  entries: LedgerEntryOut[];
}

/**
 * A Stripe refund of an extras purchase that is paying out (pending, requires_action or succeeded), once per
 * refund id: one `refund` entry (cause "refund", the refund id) that claws back the lot's units in proportion
 * to the amount refunded. Units that already expired are not clawed back a second time. When the lot goes
 * negative (its units were spent), the debt is settled at once from the workspace's spendable lots
 * (`settlement` entries under the same cause); what is left stays on the lot until the next credit pays it.
 * A refund already known to have failed is never clawed back.
 */
export async function clawbackRefund(
  db: Client,
  input: { paymentIntentId: string; refundId: string; amountCents: number; now?: Date },
): Promise<RefundResult & { clawedUnits: string }> {
  const now = input.now ?? new Date();
  checkCents(input.amountCents);
  const found = await lotOfPayment(db, input.paymentIntentId);
  return inTransaction(db, async (tx) => {
    const account = await lockExtrasAccount(tx, found.workspaceId);
    const done = await tx.ledgerEntry.findFirst({
      where: { workspaceId: found.workspaceId, kind: "refund", causeType: { in: ["refund", "failed_refund"] }, causeId: input.refundId, lotId: found.id },
      orderBy: { seq: "desc" },
    });
    if (done) {
      const clawed = done.causeType === "refund" ? formatUnits(toDec(done.units).neg()) : "0";
      return { created: false, units: "0", clawedUnits: clawed, balance: formatUnits(account.balance), entries: [] };
    }
    // A lot past its expiry is closed first, as the expiry run would have: its unspent units expired, not clawed.
    const expired = await closeExpiredLots(tx, account, { workspaceId: found.workspaceId, lotIds: [found.id], now });
    const lot = await tx.extrasLot.findUniqueOrThrow({ where: { id: found.id } });
    if (!lot.amountCents) throw new AppError("invalid_request", "This lot was not paid for, so it cannot be refunded.");
    if (lot.refundedCents + input.amountCents > lot.amountCents) {
      throw new AppError("invalid_request", `Refunds would exceed the ${lot.amountCents} cents paid.`, { refundedCents: lot.refundedCents });
    }
    const units = toDec(lot.units);
    // Expired units and units already taken back or frozen by a dispute (net of give-backs) cannot be taken again.
    const taken = await unitsTakenFromLot(tx, lot);
    const proportional = proportionalClawback(units, lot.amountCents, lot.refundedCents, input.amountCents);
    const claw = minDec(proportional, maxDec(units.minus(taken), ZERO));
    await tx.extrasLot.update({ where: { id: lot.id }, data: { refundedCents: { increment: input.amountCents } } });
    const entries = expired.entries.concat(await appendEntries(
      tx,
      account,
      [{ lotId: lot.id, kind: "refund", units: claw.neg(), causeType: "refund", causeId: input.refundId }],
      now,
    ));
    entries.push(...(await settleDebts(tx, account, "refund", input.refundId, now)));
    const clawed = formatUnits(claw);
    return { created: true, units: clawed, clawedUnits: clawed, balance: formatUnits(account.balance), entries };
  });
}

/**
 * A Stripe refund that failed or was canceled, once per refund id: one `refund` entry with cause
 * "failed_refund" (the refund id) on the lot. It gives back the units the clawback took and takes the
 * refund's cents off refundedCents. If the lot has expired meanwhile, given-back units must not become
 * spendable: the entry then only clears the lot's own debt (at most what was clawed), and the rest stays
 * expired, as it would have been had the refund never been made. Units given back to an unexpired lot first
 * pay other lots' debt (`settlement` entries under the same cause). When nothing was clawed (the refund
 * failed before it was seen paying out), the entry is 0: it records the failure, so a late clawback of
 * the same refund is refused.
 */
export async function giveBackRefund(
  db: Client,
  input: { paymentIntentId: string; refundId: string; amountCents: number; now?: Date },
): Promise<RefundResult> {
  const now = input.now ?? new Date();
  checkCents(input.amountCents);
  const found = await lotOfPayment(db, input.paymentIntentId);
  return inTransaction(db, async (tx) => {
    const account = await lockExtrasAccount(tx, found.workspaceId);
    const where = { workspaceId: found.workspaceId, kind: "refund" as const, causeId: input.refundId, lotId: found.id };
    const given = await tx.ledgerEntry.findFirst({ where: { ...where, causeType: "failed_refund" } });
    if (given) return { created: false, units: "0", balance: formatUnits(account.balance), entries: [] };
    const claw = await tx.ledgerEntry.findFirst({ where: { ...where, causeType: "refund" } });
    const lot = await tx.extrasLot.findUniqueOrThrow({ where: { id: found.id } });
    let units = ZERO;
    let memo: string | null = "The refund failed before any units were taken back.";
    if (claw) {
      const clawed = toDec(claw.units).neg();
      const debt = maxDec(toDec(lot.remaining).neg(), ZERO);
      units = lot.expiredAt ? minDec(clawed, debt) : clawed;
      memo = units.lt(clawed) ? `The pack had expired: ${formatUnits(units)} of the ${formatUnits(clawed)} units taken back clear its debt, the rest stay expired.` : null;
      await tx.extrasLot.update({ where: { id: lot.id }, data: { refundedCents: { decrement: Math.min(input.amountCents, lot.refundedCents) } } });
    }
    const entries = await appendEntries(tx, account, [{ lotId: lot.id, kind: "refund", units, causeType: "failed_refund", causeId: input.refundId, memo }], now);
    entries.push(...(await settleDebts(tx, account, "failed_refund", input.refundId, now)));
    return { created: true, units: formatUnits(units), balance: formatUnits(account.balance), entries };
  });
}

export type RefundStatus = (typeof CLAWBACK_STATUSES)[number] | (typeof GIVE_BACK_STATUSES)[number];

/**
 * Applies what a Stripe refund's status says: a clawback while it pays out, a give-back once it failed or
 * was canceled (each once per refund). Any other status changes nothing.
 */
export async function applyRefundStatus(
  db: Client,
  input: { paymentIntentId: string; refundId: string; amountCents: number; status: string | null; now?: Date },
): Promise<RefundResult & { effect: "clawback" | "give_back" | "none" }> {
  if ((CLAWBACK_STATUSES as readonly (string | null)[]).includes(input.status)) return { effect: "clawback", ...(await clawbackRefund(db, input)) };
  if ((GIVE_BACK_STATUSES as readonly (string | null)[]).includes(input.status)) return { effect: "give_back", ...(await giveBackRefund(db, input)) };
  return { effect: "none", created: false, units: "0", balance: "0", entries: [] };
}
