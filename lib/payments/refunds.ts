import { clawbackRefund } from "@/lib/billing";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { chargePaymentIntentId, stripe, type Stripe } from "@/lib/stripe";
import { withTransaction, type Client } from "./db";

/**
 * Refunds an extras purchase in full (what is left of it) or in part. One Stripe refund per idempotency key
 * `refund_<paymentIntent>_<amountCents|full>`, so a repeated click refunds once; the clawback is applied at
 * once and again (as a no-op) when charge.refunded arrives, since it is idempotent per Stripe refund.
 */
export async function refundExtrasPurchase(
  db: Client,
  input: { workspaceId: string; lotId: string; amountCents?: number | null },
): Promise<{ refundId: string; amountCents: number; clawedUnits: string; balance: string }> {
  const lot = await db.extrasLot.findFirst({ where: { id: input.lotId, workspaceId: input.workspaceId, source: "topup" } });
  if (!lot) throw new AppError("not_found", "Purchase not found.", { field: "lotId" });
  if (!lot.paymentIntentId || !lot.amountCents) throw new AppError("invalid_request", "This purchase has no payment to refund.");
  const left = lot.amountCents - lot.refundedCents;
  const full = input.amountCents === undefined || input.amountCents === null;
  const amount = full ? left : input.amountCents!;
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new AppError("invalid_request", left <= 0 ? "This purchase is already fully refunded." : "Enter an amount of at least 1 cent.", { field: "amount" });
  if (amount > left) throw new AppError("invalid_request", `At most ${(left / 100).toFixed(2)} can still be refunded.`, { field: "amount" });
  const refund = await stripe().refunds.create(
    { payment_intent: lot.paymentIntentId, ...(full ? {} : { amount }), reason: "requested_by_customer", metadata: { workspaceId: input.workspaceId, lotId: lot.id } },
    { idempotencyKey: `refund_${lot.paymentIntentId}_${full ? "full" : amount}` },
  );
  const result = await withTransaction(db, (tx) => clawbackRefund(tx, { paymentIntentId: lot.paymentIntentId!, refundId: refund.id, amountCents: refund.amount }));
  return { refundId: refund.id, amountCents: refund.amount, clawedUnits: result.clawedUnits, balance: result.balance };
}

/**
 * charge.refunded: re-reads the payment's refunds and claws back each one once. A refund of a pack whose
 * purchase is not credited yet fails (and is retried), so the clawback never gets lost; refunds of other
 * payments (subscription invoices) are not extras and change nothing here.
 */
export async function applyChargeRefunded(tx: Tx, chargeId: string): Promise<{ clawbacks: number }> {
  const charge: Stripe.Charge = await stripe().charges.retrieve(chargeId);
  const paymentIntentId = chargePaymentIntentId(charge);
  if (!paymentIntentId) return { clawbacks: 0 };
  const lot = await tx.extrasLot.findUnique({ where: { paymentIntentId } });
  if (!lot) {
    if (charge.metadata?.kind === "extras") throw new AppError("conflict", `The extras purchase paid by ${paymentIntentId} is not credited yet; the refund will be applied once it is.`);
    return { clawbacks: 0 };
  }
  let clawbacks = 0;
  for await (const refund of stripe().refunds.list({ payment_intent: paymentIntentId, limit: 100 })) {
    if (refund.status !== "succeeded" && refund.status !== "pending") continue;
    const r = await clawbackRefund(tx, { paymentIntentId, refundId: refund.id, amountCents: refund.amount });
    if (r.created) clawbacks++;
  }
  return { clawbacks };
}
