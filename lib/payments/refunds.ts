import { applyRefundStatus } from "@/lib/billing";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { chargePaymentIntentId, idOf, isStripeError, stripe, type Stripe } from "@/lib/stripe";
import { alertOperators } from "./notices";
import { requestKeyOf } from "./request-key";
import { withTransaction, type Client } from "./db";

/**
 * Refunds an extras purchase in full (what is left of it) or in part. Each refund request carries its own
 * id, chosen when the form was rendered, and the Stripe idempotency key is `refund_<refundRequestId>`: a
 * double submit is one refund, two deliberate refunds of the same amount are two. The refund's effect is
 * applied at once, and again (as a no-op) when the webhooks arrive, since each refund is clawed back and
 * given back at most once.
 */
export async function refundExtrasPurchase(
  db: Client,
  input: { workspaceId: string; lotId: string; amountCents?: number | null; refundRequestId: string },
  /** Runs in the transaction that applies the refund, with its outcome (the console's audit entry). */
  within?: (tx: Tx, refund: RefundOutcome) => Promise<void>,
): Promise<RefundOutcome> {
  const lot = await db.extrasLot.findFirst({ where: { id: input.lotId, workspaceId: input.workspaceId, source: "topup" } });
  if (!lot) throw new AppError("not_found", "Purchase not found.", { field: "lotId" });
  requestKeyOf(input.refundRequestId, "refundRequestId");
  if (!lot.paymentIntentId || !lot.amountCents) throw new AppError("invalid_request", "This purchase has no payment to refund.");
  const left = lot.amountCents - lot.refundedCents;
  const full = input.amountCents === undefined || input.amountCents === null;
  const amount = input.amountCents;
  if (!full && (!Number.isSafeInteger(amount) || amount! <= 0)) throw new AppError("invalid_request", "Enter an amount of at least 1 cent.", { field: "amount" });
  // What is left to refund is Stripe's to check: a resubmitted request must get its first answer back even
  // when that refund used up the rest, so only a request Stripe has not seen is refused for the amount.
  if (!full && amount! > lot.amountCents) throw new AppError("invalid_request", `At most ${(lot.amountCents / 100).toFixed(2)} can be refunded.`, { field: "amount" });
  let refund: Stripe.Refund;
  try {
    refund = await stripe().refunds.create(
      {
        payment_intent: lot.paymentIntentId,
        ...(full ? {} : { amount: amount! }),
        reason: "requested_by_customer",
        metadata: { workspaceId: input.workspaceId, lotId: lot.id, refundRequestId: input.refundRequestId },
      },
      { idempotencyKey: `refund_${input.refundRequestId}` },
    );
  } catch (e) {
    // The same request id with another amount: the form was resubmitted after being changed.
    if (isStripeError(e) && e.type === "StripeIdempotencyError") {
      throw new AppError("idempotency_conflict", "This refund was already submitted with another amount; reload the page to start a new one.");
    }
    if (isStripeError(e) && e.code === "charge_already_refunded") throw new AppError("invalid_request", "This purchase is already fully refunded.", { field: "amount" });
    if (isStripeError(e) && e.code === "charge_disputed") throw new AppError("invalid_request", "This purchase's payment is disputed, so it cannot be refunded; the dispute decides what happens to it.");
    if (isStripeError(e) && e.code === "amount_too_large") {
      throw new AppError("invalid_request", `At most ${(Math.max(left, 0) / 100).toFixed(2)} can still be refunded.`, { field: "amount" });
    }
    throw e;
  }
  // The payment's earlier refunds are brought up to date first (one that failed meanwhile no longer counts
  // as refunded), then the new one is applied from Stripe's answer. Should it fail later, its webhook gives
  // the units back; should that come first, the recorded failure makes this clawback a no-op.
  const paymentIntentId = lot.paymentIntentId;
  const earlier = (await paymentRefunds(paymentIntentId)).filter((r) => r.id !== refund.id);
  return withTransaction(db, async (tx) => {
    await applyRefunds(tx, paymentIntentId, earlier);
    await applyRefundStatus(tx, { paymentIntentId, refundId: refund.id, amountCents: refund.amount, status: refund.status });
    const clawed = await tx.ledgerEntry.findFirst({ where: { workspaceId: input.workspaceId, lotId: lot.id, kind: "refund", causeType: "refund", causeId: refund.id } });
    const account = await tx.extrasAccount.findUniqueOrThrow({ where: { workspaceId: input.workspaceId }, select: { balance: true } });
    const outcome: RefundOutcome = {
      refundId: refund.id,
      amountCents: refund.amount,
      status: refund.status,
      clawedUnits: clawed ? clawed.units.neg().toString() : "0",
      balance: account.balance.toString(),
    };
    if (within) await within(tx, outcome);
    return outcome;
  });
}

export interface RefundOutcome {
  refundId: string;
  amountCents: number;
  status: string | null;
  clawedUnits: string;
  balance: string;
}

/** Every refund of a payment as Stripe has it now, oldest first (read before any lock is taken). */
async function paymentRefunds(paymentIntentId: string): Promise<Stripe.Refund[]> {
  const out: Stripe.Refund[] = [];
  for await (const refund of stripe().refunds.list({ payment_intent: paymentIntentId, limit: 100 })) out.push(refund);
  return out.reverse();
}

/** Applies each refund's current status: a clawback while it pays out, a give-back once it failed or was canceled. */
async function applyRefunds(tx: Tx, paymentIntentId: string, refunds: Stripe.Refund[]) {
  const applied: { refundId: string; status: string | null; changed: boolean }[] = [];
  for (const refund of refunds) {
    const r = await applyRefundStatus(tx, { paymentIntentId, refundId: refund.id, amountCents: refund.amount, status: refund.status });
    applied.push({ refundId: refund.id, status: refund.status, changed: r.created });
  }
  return applied;
}

/** What a refund event read from Stripe: the payment's refunds as they are now, and whether the payment bought extras. */
export interface PaymentRefundsRead {
  paymentIntentId: string | null;
  /** The payment bought extras (its charge says so, or its lot is known): a refund of it must meet its lot. */
  extras: boolean;
  refunds: Stripe.Refund[];
}

const refundsOf = async (paymentIntentId: string | null, extras: boolean): Promise<PaymentRefundsRead> => ({
  paymentIntentId, extras, refunds: paymentIntentId ? await paymentRefunds(paymentIntentId) : [],
});

/** The refunds of a payment known to carry extras (a pack, or the invoice a grant came with). */
export const readPaymentRefunds = (paymentIntentId: string): Promise<PaymentRefundsRead> => refundsOf(paymentIntentId, true);

/** charge.refunded's read phase: the charge names the payment, and its metadata says whether it bought extras. */
export async function readChargeRefunded(chargeId: string): Promise<PaymentRefundsRead> {
  const charge: Stripe.Charge = await stripe().charges.retrieve(chargeId);
  return refundsOf(chargePaymentIntentId(charge), charge.metadata?.kind === "extras");
}

/** refund.updated / refund.failed's read phase: the refund is re-read for its payment, whose refunds are then read. */
export async function readRefundUpdated(db: Client, refundId: string): Promise<PaymentRefundsRead> {
  const refund = await stripe().refunds.retrieve(refundId);
  const paymentIntentId = idOf(refund.payment_intent);
  if (!paymentIntentId) return { paymentIntentId: null, extras: false, refunds: [] };
  // A known lot says extras without asking Stripe (lots are never deleted, so the apply phase finds it too).
  const lot = await db.extrasLot.findUnique({ where: { paymentIntentId }, select: { id: true } });
  const chargeId = lot ? null : idOf(refund.charge);
  const charge = chargeId ? await stripe().charges.retrieve(chargeId) : null;
  return refundsOf(paymentIntentId, !!lot || charge?.metadata?.kind === "extras");
}

/**
 * Convergence for charge.refunded, refund.updated and refund.failed, from what their read phase found:
 * applies each refund's status (clawback once, give-back once). A refund of a pack whose purchase is not
 * credited yet fails (and is retried), so the clawback never gets lost. A refund of a subscription invoice takes
 * back the plan grant that invoice came with (its lot carries the payment); other payments change nothing here.
 */
export async function applyPaymentRefundsRead(tx: Tx, read: PaymentRefundsRead, now = new Date()): Promise<{ changes: number }> {
  const { paymentIntentId } = read;
  if (!paymentIntentId) return { changes: 0 };
  await alertFailedDuplicateRefunds(tx, read.refunds, now);
  const lot = await tx.extrasLot.findUnique({ where: { paymentIntentId }, select: { id: true } });
  if (!lot) {
    if (read.extras) throw new AppError("conflict", `The extras purchase paid by ${paymentIntentId} is not credited yet; the refund will be applied once it is.`);
    return { changes: 0 };
  }
  const applied = await applyRefunds(tx, paymentIntentId, read.refunds);
  return { changes: applied.filter((a) => a.changed).length };
}

/**
 * The refund of a duplicate subscription's payment (subscription-order.ts) that failed or was canceled: the
 * customer paid twice and is not paid back, and nothing retries it (the duplicate is settled). Operators are
 * told once per refund, to refund it by hand from the console's Stripe link or Stripe's dashboard.
 */
async function alertFailedDuplicateRefunds(tx: Tx, refunds: Stripe.Refund[], now: Date): Promise<void> {
  for (const r of refunds) {
    const duplicate = r.metadata?.duplicateSubscriptionId;
    if (!duplicate || (r.status !== "failed" && r.status !== "canceled")) continue;
    await alertOperators(tx, {
      kind: "duplicate_refund_failed", workspaceId: r.metadata?.workspaceId ?? null, subjectId: r.id, dedupeKey: `duplicate_refund_failed:${r.id}`, now,
      message: `The refund of duplicate subscription ${duplicate}'s payment (${(r.amount / 100).toFixed(2)} ${r.currency.toUpperCase()}) ${r.status === "failed" ? `failed${r.failure_reason ? ` (${r.failure_reason})` : ""}` : "was canceled"}: the customer paid twice and is not paid back yet. Refund it again in Stripe.`,
    });
  }
}
