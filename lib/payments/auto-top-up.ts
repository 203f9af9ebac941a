import { completeAutoTopUp, registerPaymentsPort, topupExtras, type PaymentsPort } from "@/lib/billing";
import { db as appDb } from "@/lib/db";
import type { Tx } from "@/lib/db";
import { idOf, isCardError, isStripeError, stripe, type Stripe } from "@/lib/stripe";
import type { Client } from "./db";

/** The card auto top-ups charge: the customer's default, else the first saved card (kept by earlier checkouts). */
async function savedCard(customerId: string): Promise<string | null> {
  const customer = await stripe().customers.retrieve(customerId);
  if (customer.deleted) return null;
  const preferred = idOf(customer.invoice_settings?.default_payment_method ?? null);
  if (preferred) return preferred;
  const cards = await stripe().customers.listPaymentMethods(customerId, { type: "card", limit: 1 });
  return cards.data[0]?.id ?? null;
}

/**
 * Buys a pack off-session with a PaymentIntent (confirm + off_session on the saved card), passing the
 * billing engine's idempotency key to Stripe so a retried attempt never charges twice. A payment that
 * succeeds at once is credited at once (by payment intent, so payment_intent.succeeded later changes nothing).
 */
export function createStripePaymentsPort(getDb: () => Client = appDb): PaymentsPort {
  return {
    async startAutoTopUp({ workspaceId, packId, attemptId, idempotencyKey }) {
      const db = getDb();
      const [ws, pack] = await Promise.all([
        db.workspace.findUnique({ where: { id: workspaceId }, select: { stripeCustomerId: true } }),
        db.extrasPack.findUnique({ where: { id: packId } }),
      ]);
      if (!pack) return { status: "failed", error: "The auto top-up pack no longer exists." };
      if (!ws?.stripeCustomerId) return { status: "failed", error: "No saved card: buy a pack once through checkout first." };
      const card = await savedCard(ws.stripeCustomerId);
      if (!card) return { status: "failed", error: "No saved card: buy a pack once through checkout first." };
      let pi: Stripe.PaymentIntent;
      try {
        pi = await stripe().paymentIntents.create(
          {
            amount: pack.priceCents,
            currency: pack.currency,
            customer: ws.stripeCustomerId,
            payment_method: card,
            off_session: true,
            confirm: true,
            description: `Auto top-up: ${pack.name}`,
            metadata: { workspaceId, packId, kind: "extras", autoTopUpAttemptId: attemptId },
          },
          { idempotencyKey },
        );
      } catch (e) {
        if (isCardError(e)) return { status: "failed", paymentIntentId: e.payment_intent?.id ?? null, error: e.message };
        if (isStripeError(e)) return { status: "failed", error: e.message };
        throw e;
      }
      if (pi.status !== "succeeded") return { status: pi.status === "processing" ? "processing" : "failed", paymentIntentId: pi.id, error: pi.last_payment_error?.message ?? null };
      await topupExtras(db, { workspaceId, pack: packId, paymentIntentId: pi.id, amountCents: pi.amount_received || pi.amount, currency: pi.currency });
      return { status: "succeeded", paymentIntentId: pi.id };
    },
  };
}

/** Registers the Stripe payments port with the billing engine; every server instance calls this at start. */
export function registerStripePaymentsPort(): void {
  registerPaymentsPort(createStripePaymentsPort());
}

/** payment_intent.succeeded / payment_failed of an auto top-up: credit it (once per payment intent) and close the attempt. */
export async function applyAutoTopUpIntent(tx: Tx, type: string, paymentIntentId: string): Promise<boolean> {
  const pi = await stripe().paymentIntents.retrieve(paymentIntentId);
  const attemptId = pi.metadata?.autoTopUpAttemptId;
  const workspaceId = pi.metadata?.workspaceId;
  const packId = pi.metadata?.packId;
  if (!attemptId || !workspaceId || !packId) return false;
  if (pi.status === "succeeded") {
    await topupExtras(tx, { workspaceId, pack: packId, paymentIntentId: pi.id, amountCents: pi.amount_received || pi.amount, currency: pi.currency });
    await completeAutoTopUp(tx, { attemptId, status: "succeeded" });
    return true;
  }
  if (type === "payment_intent.payment_failed") {
    await completeAutoTopUp(tx, { attemptId, status: "failed", error: pi.last_payment_error?.message ?? "The payment failed." });
    return true;
  }
  return false;
}
