import { AppError } from "@/lib/errors";
import { inTransaction, type Client } from "./client";
import { appendEntries, lockExtrasAccount, type LedgerEntryOut } from "./extras-ledger";
import { ZERO, formatUnits, maxDec, minDec, roundUnits, toDec, type Dec } from "./units";

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

/**
 * A Stripe refund of an extras purchase (charge.refunded), once per refund id: claws back the lot's units
 * in proportion to the amount refunded. The lot (and the balance) may go negative when the units were
 * already spent; extras then cover nothing until the balance is positive again. Units that already expired
 * are not clawed back a second time.
 */
export async function clawbackRefund(
  db: Client,
  input: { paymentIntentId: string; refundId: string; amountCents: number; now?: Date },
): Promise<{ created: boolean; clawedUnits: string; balance: string; entries: LedgerEntryOut[] }> {
  const now = input.now ?? new Date();
  if (!Number.isSafeInteger(input.amountCents) || input.amountCents <= 0) {
    throw new AppError("invalid_request", "amountCents must be a positive whole number of cents.", { field: "amountCents" });
  }
  const found = await db.extrasLot.findUnique({ where: { paymentIntentId: input.paymentIntentId }, select: { id: true, workspaceId: true } });
  if (!found) throw new AppError("not_found", "No extras purchase for this payment.", { paymentIntentId: input.paymentIntentId });
  return inTransaction(db, async (tx) => {
    const account = await lockExtrasAccount(tx, found.workspaceId);
    const done = await tx.ledgerEntry.findFirst({
      where: { workspaceId: found.workspaceId, kind: "refund", causeType: "refund", causeId: input.refundId, lotId: found.id },
    });
    if (done) return { created: false, clawedUnits: formatUnits(toDec(done.units).neg()), balance: formatUnits(account.balance), entries: [] };
    const lot = await tx.extrasLot.findUniqueOrThrow({ where: { id: found.id } });
    if (!lot.amountCents) throw new AppError("invalid_request", "This lot was not paid for, so it cannot be refunded.");
    if (lot.refundedCents + input.amountCents > lot.amountCents) {
      throw new AppError("invalid_request", `Refunds would exceed the ${lot.amountCents} cents paid.`, { refundedCents: lot.refundedCents });
    }
    const units = toDec(lot.units);
    const sums = await tx.ledgerEntry.groupBy({ by: ["kind"], where: { lotId: lot.id, kind: { in: ["expiration", "refund"] } }, _sum: { units: true } });
    const taken = sums.reduce((s, g) => s.plus(g._sum.units ? toDec(g._sum.units).neg() : ZERO), ZERO);
    const proportional = proportionalClawback(units, lot.amountCents, lot.refundedCents, input.amountCents);
    const claw = minDec(proportional, maxDec(units.minus(taken), ZERO));
    await tx.extrasLot.update({ where: { id: lot.id }, data: { refundedCents: { increment: input.amountCents } } });
    const entries = await appendEntries(
      tx,
      account,
      [{ lotId: lot.id, kind: "refund", units: claw.neg(), causeType: "refund", causeId: input.refundId }],
      now,
    );
    return { created: true, clawedUnits: formatUnits(claw), balance: formatUnits(account.balance), entries };
  });
}

