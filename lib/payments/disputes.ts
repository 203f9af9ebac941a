import { closeLostDispute, freezeDisputedUnits, releaseDisputedUnits } from "@/lib/billing";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { chargePaymentIntentId, idOf, stripe, type Stripe } from "@/lib/stripe";
import { workspaceIdFor } from "./lookup";
import { alertOperators } from "./notices";

/** Inquiries (warning_*) are questions from the bank: no money is withdrawn, so nothing is frozen for them. */
const CHARGEBACK = new Set(["needs_response", "under_review", "won", "lost"]);
const CLOSED = new Set(["won", "lost", "warning_closed"]);

/** What a dispute event read from Stripe: the dispute, and the charge it is about (its payment, metadata and customer). */
export interface DisputeRead {
  dispute: Stripe.Dispute;
  charge: Stripe.Charge | null;
}

/** The read phase of a dispute event (Stripe calls only): the webhook runs it before its transaction. */
export async function readDispute(disputeId: string): Promise<DisputeRead> {
  const dispute = await stripe().disputes.retrieve(disputeId);
  // The charge is read whether or not the apply phase needs it (it does when the payment has no lot yet):
  // whether it has one is known only inside the transaction.
  const chargeId = idOf(dispute.charge);
  return { dispute, charge: chargeId ? await stripe().charges.retrieve(chargeId) : null };
}

/**
 * charge.dispute.created / updated / closed: the dispute as re-read from Stripe is applied, so
 * redelivery and any order converge. A chargeback of a pack purchase, or of a plan invoice whose grant carries
 * its payment, freezes those units (once); won, they are given back (once); lost, they stay out. Disputes of
 * other payments are recorded without touching the books. Operators are told when a dispute opens and when it closes. A
 * dispute of a pack whose purchase is not credited yet fails, to be retried once it is (like a refund).
 */
export async function applyDisputeRead(tx: Tx, { dispute, charge }: DisputeRead, now: Date): Promise<boolean> {
  const chargeId = idOf(dispute.charge);
  const paymentIntentId = idOf(dispute.payment_intent) ?? (charge ? chargePaymentIntentId(charge) : null);
  const lot = paymentIntentId ? await tx.extrasLot.findUnique({ where: { paymentIntentId }, select: { id: true, workspaceId: true, source: true } }) : null;
  let workspaceId = lot?.workspaceId ?? null;
  if (!lot) {
    if (charge?.metadata?.kind === "extras") throw new AppError("conflict", `The extras purchase paid by ${paymentIntentId} is not credited yet; the dispute will be applied once it is.`);
    workspaceId = charge ? await workspaceIdFor(tx, { metadata: charge.metadata, customer: charge.customer }) : null;
    if (!workspaceId) return false;
  }

  let frozen = "0";
  if (lot && paymentIntentId && CHARGEBACK.has(dispute.status)) {
    const input = { paymentIntentId, disputeId: dispute.id, now };
    frozen = (await freezeDisputedUnits(tx, { ...input, amountCents: dispute.amount })).frozenUnits;
    if (dispute.status === "won") await releaseDisputedUnits(tx, input);
    if (dispute.status === "lost") await closeLostDispute(tx, input);
  }
  const row = {
    workspaceId: workspaceId!,
    chargeId: chargeId ?? "",
    paymentIntentId,
    lotId: lot?.id ?? null,
    amountCents: dispute.amount,
    currency: dispute.currency,
    reason: dispute.reason,
    status: dispute.status,
    frozenUnits: frozen,
    closedAt: CLOSED.has(dispute.status) ? now : null,
  };
  const before = await tx.dispute.findUnique({ where: { id: dispute.id }, select: { closedAt: true } });
  await tx.dispute.upsert({
    where: { id: dispute.id },
    create: { id: dispute.id, createdAt: new Date(dispute.created * 1000), ...row },
    update: { ...row, closedAt: before?.closedAt ?? row.closedAt },
  });

  const what = lot ? `${lot.source === "grant" ? "a plan invoice whose grant" : "an extras purchase"} (lot ${lot.id})` : "a plan payment";
  const amount = `${(dispute.amount / 100).toFixed(2)} ${dispute.currency.toUpperCase()}`;
  await alertOperators(tx, {
    kind: "dispute_opened", workspaceId, subjectId: dispute.id, dedupeKey: `dispute_opened:${dispute.id}`, now,
    message: `Payment ${paymentIntentId ?? chargeId} for ${what} is disputed (${dispute.reason}, ${amount})${lot ? `: ${frozen} units frozen` : ""}.`
      + (dispute.evidence_details?.due_by ? ` Evidence is due by ${new Date(dispute.evidence_details.due_by * 1000).toISOString().slice(0, 10)}.` : ""),
  });
  if (CLOSED.has(dispute.status)) {
    await alertOperators(tx, {
      kind: "dispute_closed", workspaceId, subjectId: dispute.id, dedupeKey: `dispute_closed:${dispute.id}`, now,
      message: `Dispute ${dispute.id} of ${what} closed: ${dispute.status}.`
        + (lot && dispute.status === "won" ? " The frozen units were given back." : lot && dispute.status === "lost" ? " The frozen units stay out." : ""),
    });
  }
  return true;
}
