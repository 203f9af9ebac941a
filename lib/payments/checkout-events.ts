import type { Tx } from "@/lib/db";
import { idOf, stripe, type Stripe } from "@/lib/stripe";
import { recordPurchase } from "./checkout";
import { declineReason } from "./declines";
import { notifyOwners } from "./notices";

// Pack checkouts that end without a credit: a bank debit that failed, a checkout left to expire.

const packPurchase = (session: Stripe.Checkout.Session) => {
  const workspaceId = session.metadata?.workspaceId ?? session.client_reference_id;
  const packId = session.metadata?.packId;
  return session.mode === "payment" && session.metadata?.kind === "extras" && workspaceId && packId ? { workspaceId, packId } : null;
};

/** What async_payment_failed reads from Stripe: the session, and the pack's payment as it is now (for its state and the bank's reason). */
export interface AsyncPaymentFailedRead {
  session: Stripe.Checkout.Session;
  paymentIntent: Stripe.PaymentIntent | null;
}

/** The read phase of async_payment_failed (Stripe calls only): the webhook runs it before its transaction. */
export async function readAsyncPaymentFailed(session: Stripe.Checkout.Session): Promise<AsyncPaymentFailedRead> {
  const piId = packPurchase(session) ? idOf(session.payment_intent) : null;
  return { session, paymentIntent: piId ? await stripe().paymentIntents.retrieve(piId) : null };
}

/**
 * checkout.session.async_payment_failed: a pack paid by bank debit that did not go through. Nothing was
 * credited; the purchase shows as failed with the bank's reason, and the owners are told once.
 */
export async function applyAsyncPaymentFailedRead(tx: Tx, { session, paymentIntent: pi }: AsyncPaymentFailedRead, now: Date): Promise<{ notifications: string[] }> {
  const purchase = packPurchase(session);
  if (!purchase) return { notifications: [] };
  const { workspaceId, packId } = purchase;
  if (pi?.status === "succeeded") return { notifications: [] };
  const reason = declineReason(pi?.last_payment_error ?? { message: "The bank payment did not go through." });
  await recordPurchase(tx, { workspaceId, session, packId }, "failed", now, reason);
  const pack = await tx.extrasPack.findUnique({ where: { id: packId }, select: { name: true } });
  const id = await notifyOwners(tx, {
    workspaceId, kind: "pack_payment_failed", dedupeKey: `pack_payment_failed:${session.id}`, now,
    subject: `Your bank payment for ${pack?.name ?? "extras"} failed`,
    body: `The bank debit for ${pack?.name ?? "your extras pack"} did not go through (${reason}). No units were added; you can buy the pack again with another account or a card.`,
  });
  return { notifications: id ? [id] : [] };
}

/** checkout.session.expired: a pack checkout left unpaid; its purchase, still open, is closed as expired. */
export async function applyCheckoutExpired(tx: Tx, session: Stripe.Checkout.Session, now: Date): Promise<boolean> {
  const purchase = packPurchase(session);
  if (!purchase || session.status !== "expired") return false;
  return recordPurchase(tx, { ...purchase, session }, "expired", now);
}
