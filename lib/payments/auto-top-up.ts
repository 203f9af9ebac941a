import { completeAutoTopUp, registerPaymentsPort, topupExtras, type PaymentsPort } from "@/lib/billing";
import { db as appDb } from "@/lib/db";
import type { Tx } from "@/lib/db";
import { idOf, isCardError, isStripeError, stripe, type Stripe } from "@/lib/stripe";
import { automaticTaxEnabled } from "./automatic-tax";
import type { Client } from "./db";
import { recordAutoTopUpOutcome, sendIfCommitted } from "./extras-notices";

/**
 * The payment method auto top-ups charge: the customer's invoice default, else the most recently attached
 * method of any type (a card, Link, a bank debit: whatever checkouts and the portal saved). Stripe only
 * lets attached methods be used off-session, and these are all attached to the customer.
 */
async function savedPaymentMethod(customerId: string): Promise<Stripe.PaymentMethod | null> {
  const customer = await stripe().customers.retrieve(customerId);
  if (customer.deleted) return null;
  const preferred = idOf(customer.invoice_settings?.default_payment_method ?? null);
  if (preferred) {
    const pm = await stripe().paymentMethods.retrieve(preferred);
    if (pm.customer && idOf(pm.customer) === customerId) return pm;
  }
  const methods = await stripe().customers.listPaymentMethods(customerId, { limit: 1 });
  return methods.data[0] ?? null;
}

/**
 * A pack bought in checkout is taxed by Stripe Tax when automatic tax is on (STRIPE_AUTOMATIC_TAX), so an auto
 * top-up of the same pack is taxed the same way: a Stripe Tax calculation for the pack's tax-exclusive price and the
 * customer (the address checkout saved), whose amount_total the PaymentIntent charges, linked through
 * hooks.inputs.tax.calculation so Stripe records the tax transaction when the payment succeeds (and reverses
 * it on refunds). The calculation takes the payment's idempotency key (suffixed), so a retried request links
 * the same calculation and sends the same parameters.
 */
async function packTax(pack: { priceCents: number; currency: string; key: string }, customer: string, idempotencyKey: string): Promise<Stripe.Tax.Calculation> {
  return stripe().tax.calculations.create(
    { currency: pack.currency, customer, line_items: [{ amount: pack.priceCents, reference: `pack_${pack.key}`, tax_behavior: "exclusive" }] },
    { idempotencyKey: `${idempotencyKey}_tax` },
  );
}

/** The payment an earlier try of this attempt made, found by its metadata among the customer's newest payments. */
async function paymentOfAttempt(customerId: string, attemptId: string): Promise<Stripe.PaymentIntent | null> {
  let seen = 0;
  for await (const pi of stripe().paymentIntents.list({ customer: customerId, limit: 100 })) {
    if (pi.metadata?.autoTopUpAttemptId === attemptId) return pi;
    if (++seen >= 300) break;
  }
  return null;
}

/**
 * Buys a pack off-session with a PaymentIntent (confirm + off_session on the saved card), passing the
 * billing engine's idempotency key to Stripe so a retried attempt never charges twice. A payment that
 * succeeds at once is credited at once (by payment intent, so payment_intent.succeeded later changes nothing).
 * A resumed attempt first looks for the payment its earlier try made (Stripe keeps idempotency keys for a
 * day only, and the saved card may have changed since), then pays with the same key.
 * Errors other than a refusal are thrown: the billing engine keeps the attempt in flight and resumes it.
 */
export function createStripePaymentsPort(getDb: () => Client = appDb): PaymentsPort {
  return {
    async startAutoTopUp({ workspaceId, packId, attemptId, idempotencyKey, resume, paymentIntentId }) {
      const db = getDb();
      const [ws, pack] = await Promise.all([
        db.workspace.findUnique({ where: { id: workspaceId }, select: { stripeCustomerId: true } }),
        db.extrasPack.findUnique({ where: { id: packId } }),
      ]);
      // A definite refusal ends the attempt: the owners are told why (once per attempt).
      const failed = async (error: string, paymentIntentId: string | null = null) => {
        if (pack) await tellOwners(db, { workspaceId, attemptId, packId, now: new Date(), status: "failed", error });
        return { status: "failed" as const, paymentIntentId, error };
      };
      if (!pack) return { status: "failed", error: "The auto top-up pack no longer exists." };
      if (!ws?.stripeCustomerId) return failed("No saved card: buy a pack once through checkout first.");
      const customer = ws.stripeCustomerId;
      let pi: Stripe.PaymentIntent | null = null;
      try {
        if (resume) pi = paymentIntentId ? await stripe().paymentIntents.retrieve(paymentIntentId) : await paymentOfAttempt(customer, attemptId);
        if (!pi) {
          const method = await savedPaymentMethod(customer);
          if (!method) return failed("No saved payment method: buy a pack once through checkout first.");
          // Taxed exactly when a checkout of the same pack would be (STRIPE_AUTOMATIC_TAX and the account's Stripe Tax).
          const tax = (await automaticTaxEnabled(db)) ? await packTax(pack, customer, idempotencyKey) : null;
          // Off-session: the customer is not there to authenticate, so a payment that needs them is declined
          // (a card error, the attempt fails) instead of waiting; the method's own type is the only one allowed,
          // so nothing here can redirect. A bank debit answers "processing" and is settled by its webhook.
          pi = await stripe().paymentIntents.create(
            {
              amount: tax ? tax.amount_total : pack.priceCents,
              currency: pack.currency,
              customer,
              payment_method: method.id,
              allowed_payment_method_types: [method.type as Stripe.PaymentIntentCreateParams.AllowedPaymentMethodType],
              off_session: true,
              confirm: true,
              ...(tax?.id ? { hooks: { inputs: { tax: { calculation: tax.id } } } } : {}),
              description: `Auto top-up: ${pack.name}`,
              metadata: { workspaceId, packId, kind: "extras", autoTopUpAttemptId: attemptId, taxCents: String(tax?.tax_amount_exclusive ?? 0) },
            },
            { idempotencyKey },
          );
        }
      } catch (e) {
        // Only a definite refusal fails the attempt: the card was declined, or the request was invalid and
        // nothing was charged. A network error, a Stripe 5xx, a rate limit or a key conflict leave it unknown.
        if (isCardError(e)) return failed(e.message, e.payment_intent?.id ?? null);
        if (isStripeError(e) && e.type === "StripeInvalidRequestError") return failed(e.message);
        throw e;
      }
      if (pi.status === "processing") return { status: "processing", paymentIntentId: pi.id };
      if (pi.status !== "succeeded") return failed(pi.last_payment_error?.message ?? `The payment is ${pi.status}.`, pi.id);
      const amountCents = pi.amount_received || pi.amount;
      const lot = await topupExtras(db, { workspaceId, pack: packId, paymentIntentId: pi.id, amountCents, currency: pi.currency });
      await tellOwners(db, { workspaceId, attemptId, packId, now: new Date(), status: "succeeded", units: lot.units, amountCents, currency: pi.currency });
      return { status: "succeeded", paymentIntentId: pi.id };
    },
  };
}

/** Records the attempt's email and sends it; never fails the purchase (the cron retries a failed send). */
async function tellOwners(db: Client, outcome: Parameters<typeof recordAutoTopUpOutcome>[1]): Promise<void> {
  try {
    const id = await recordAutoTopUpOutcome(db, outcome);
    if (id) await sendIfCommitted(db, [id], outcome.now);
  } catch (e) {
    console.error(`[payments] auto top-up ${outcome.attemptId}: could not record its email:`, e);
  }
}

/** Registers the Stripe payments port with the billing engine; every server instance calls this at start. */
export function registerStripePaymentsPort(): void {
  registerPaymentsPort(createStripePaymentsPort());
}

/**
 * payment_intent.succeeded / payment_failed of an auto top-up: credit it (once per payment intent), close the
 * attempt and record its email (once per attempt) into `notifications`, sent after the caller commits.
 */
export async function applyAutoTopUpIntentOf(tx: Tx, type: string, pi: Stripe.PaymentIntent, now: Date, notifications: string[]): Promise<boolean> {
  const attemptId = pi.metadata?.autoTopUpAttemptId;
  const workspaceId = pi.metadata?.workspaceId;
  const packId = pi.metadata?.packId;
  if (!attemptId || !workspaceId || !packId) return false;
  if (pi.status === "succeeded") {
    const lot = await topupExtras(tx, { workspaceId, pack: packId, paymentIntentId: pi.id, amountCents: pi.amount_received || pi.amount, currency: pi.currency });
    await completeAutoTopUp(tx, { attemptId, status: "succeeded" });
    const id = await recordAutoTopUpOutcome(tx, { workspaceId, attemptId, packId, now, status: "succeeded", units: lot.units, amountCents: pi.amount_received || pi.amount, currency: pi.currency });
    if (id) notifications.push(id);
    return true;
  }
  if (type === "payment_intent.payment_failed") {
    const error = pi.last_payment_error?.message ?? "The payment failed.";
    await completeAutoTopUp(tx, { attemptId, status: "failed", error });
    const id = await recordAutoTopUpOutcome(tx, { workspaceId, attemptId, packId, now, status: "failed", error });
    if (id) notifications.push(id);
    return true;
  }
  return false;
}
