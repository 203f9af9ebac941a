import { AppError } from "@/lib/errors";
import { inTransaction, type Client, type Tx } from "@/lib/db";
import { closeExpiredLots } from "./extras-expire";
import { appendEntries, lockExtrasAccount, settleDebts } from "./extras-ledger";
import { unitsTakenFromLot, type RefundResult } from "./refunds";
import { ZERO, formatUnits, maxDec, minDec, roundUnits, toDec } from "./units";

// A disputed pack purchase (a chargeback) freezes the units it bought: ledger movements on that lot, like a
// refund's clawback, so spending never needs to know about disputes. Frozen units are given back if the
// dispute is won and stay out if it is lost. Each step happens once per dispute: the ledger's unique key
// (kind, cause, lot) holds one `dispute` entry per cause ("dispute", "dispute_won", "dispute_lost").

async function lotOfPayment(db: Client, paymentIntentId: string) {
  const found = await db.extrasLot.findUnique({ where: { paymentIntentId }, select: { id: true, workspaceId: true } });
  if (!found) throw new AppError("not_found", "No extras purchase for this payment.", { paymentIntentId });
  return found;
}

/**
 * Freezes a disputed purchase's units, once per dispute: one `dispute` entry (cause "dispute", the dispute id)
 * taking the units in proportion to the disputed amount, never units that already expired, were clawed back
 * or frozen. A lot left negative (its units were spent) has its debt settled at once from the other
 * spendable lots, as after a refund; what is left waits for the next credit.
 */
export async function freezeDisputedUnits(
  db: Client,
  input: { paymentIntentId: string; disputeId: string; amountCents: number; now?: Date },
): Promise<RefundResult & { frozenUnits: string }> {
  const now = input.now ?? new Date();
  const found = await lotOfPayment(db, input.paymentIntentId);
  return inTransaction(db, async (tx) => {
    const account = await lockExtrasAccount(tx, found.workspaceId);
    const done = await tx.ledgerEntry.findFirst({ where: { workspaceId: found.workspaceId, kind: "dispute", causeType: "dispute", causeId: input.disputeId, lotId: found.id } });
    if (done) return { created: false, units: "0", frozenUnits: formatUnits(toDec(done.units).neg()), balance: formatUnits(account.balance), entries: [] };
    // A lot past its expiry is closed first, as the expiry run would have: its unspent units expired, not frozen.
    const expired = await closeExpiredLots(tx, account, { workspaceId: found.workspaceId, lotIds: [found.id], now });
    const lot = await tx.extrasLot.findUniqueOrThrow({ where: { id: found.id } });
    const units = toDec(lot.units);
    const paid = lot.amountCents ?? 0;
    const proportional = paid > 0 ? roundUnits(units.times(Math.min(Math.max(input.amountCents, 0), paid)).div(paid)) : units;
    const freeze = minDec(proportional, maxDec(units.minus(await unitsTakenFromLot(tx, lot)), ZERO));
    const entries = expired.entries.concat(await appendEntries(tx, account, [{ lotId: lot.id, kind: "dispute", units: freeze.neg(), causeType: "dispute", causeId: input.disputeId, memo: "Frozen while the payment is disputed." }], now));
    entries.push(...(await settleDebts(tx, account, "dispute", input.disputeId, now)));
    return { created: true, units: formatUnits(freeze), frozenUnits: formatUnits(freeze), balance: formatUnits(account.balance), entries };
  });
}

type Account = Awaited<ReturnType<typeof lockExtrasAccount>>;
type DisputeInput = { paymentIntentId: string; disputeId: string; now?: Date };

/**
 * Closes a dispute once: under the extras account's lock, a dispute already won or lost changes nothing more;
 * otherwise `close` writes the closing entries on the disputed lot.
 */
async function closeDispute(
  db: Client,
  input: DisputeInput,
  close: (tx: Tx, account: Account, lotId: string, where: { workspaceId: string; kind: "dispute"; causeId: string; lotId: string }, now: Date) => Promise<RefundResult>,
): Promise<RefundResult> {
  const now = input.now ?? new Date();
  const found = await lotOfPayment(db, input.paymentIntentId);
  return inTransaction(db, async (tx) => {
    const account = await lockExtrasAccount(tx, found.workspaceId);
    const where = { workspaceId: found.workspaceId, kind: "dispute" as const, causeId: input.disputeId, lotId: found.id };
    if (await tx.ledgerEntry.findFirst({ where: { ...where, causeType: { in: ["dispute_won", "dispute_lost"] } } })) {
      return { created: false, units: "0", balance: formatUnits(account.balance), entries: [] };
    }
    return close(tx, account, found.id, where, now);
  });
}

/**
 * A dispute won: the units it froze come back, once (cause "dispute_won"). As with a failed refund, a lot
 * that expired meanwhile only gets its own debt cleared, so expired units never become spendable again;
 * units given back first pay other lots' debt.
 */
export async function releaseDisputedUnits(db: Client, input: DisputeInput): Promise<RefundResult> {
  return closeDispute(db, input, async (tx, account, lotId, where, now) => {
    const frozenEntry = await tx.ledgerEntry.findFirst({ where: { ...where, causeType: "dispute" } });
    const frozen = frozenEntry ? toDec(frozenEntry.units).neg() : ZERO;
    const lot = await tx.extrasLot.findUniqueOrThrow({ where: { id: lotId } });
    const debt = maxDec(toDec(lot.remaining).neg(), ZERO);
    const units = lot.expiredAt ? minDec(frozen, debt) : frozen;
    const memo = units.lt(frozen)
      ? `The dispute was won after the pack expired: ${formatUnits(units)} of the ${formatUnits(frozen)} frozen units clear its debt, the rest stay expired.`
      : "The dispute was won: the frozen units are back.";
    const entries = await appendEntries(tx, account, [{ lotId, kind: "dispute", units, causeType: "dispute_won", causeId: input.disputeId, memo }], now);
    entries.push(...(await settleDebts(tx, account, "dispute_won", input.disputeId, now)));
    return { created: true, units: formatUnits(units), balance: formatUnits(account.balance), entries };
  });
}

/** A dispute lost: the frozen units stay out for good. A zero entry records it (cause "dispute_lost"), once. */
export async function closeLostDispute(db: Client, input: DisputeInput): Promise<RefundResult> {
  return closeDispute(db, input, async (tx, account, lotId, _where, now) => {
    const memo = "The dispute was lost: the frozen units stay out.";
    const entries = await appendEntries(tx, account, [{ lotId, kind: "dispute", units: ZERO, causeType: "dispute_lost", causeId: input.disputeId, memo }], now);
    return { created: true, units: "0", balance: formatUnits(account.balance), entries };
  });
}
