import { DAY } from "../clock";
import type { Emulator } from "../emulator";
import { invalidRequest } from "../errors";
import { render } from "../expand";
import { createCustomer } from "../resources/customers";
import type { CheckoutSession, ListObject } from "../types";
import { attachPaymentMethod, cardError, confirmPaymentIntent, createCardPaymentMethod, createPaymentIntent, type CardInput } from "./payments";
import { startSubscription } from "./subscriptions";

/** Marks an open session expired once its expires_at has passed (checkout.session.expired). */
export function refreshExpiry(em: Emulator, session: CheckoutSession): void {
  if (session.status === "open" && em.now(session.customer) >= session.expires_at) expireSession(em, session);
}

export function expireSession(em: Emulator, session: CheckoutSession): void {
  if (session.status !== "open") throw invalidRequest(`Only Checkout Sessions with a status in ["open"] can be expired.`, undefined, "checkout_session_unexpected_state");
  session.status = "expired";
  session.url = null;
  em.emit("checkout.session.expired", session);
}

export function lineItemsList(em: Emulator, session: CheckoutSession): ListObject<unknown> {
  const items = em.store.checkoutExtras.get(session.id)?.lineItems ?? [];
  return {
    object: "list",
    data: items.map((li) => ({ ...li, price: render(em.store.prices.get(li.price)) })),
    has_more: false,
    url: `/v1/checkout/sessions/${session.id}/line_items`,
  };
}

export function successRedirect(session: CheckoutSession): string | null {
  return session.success_url ? session.success_url.replaceAll("{CHECKOUT_SESSION_ID}", session.id) : null;
}

/**
 * Pays a session on the hosted page. A card that declines (0002, or 0341 when a charge is due)
 * throws a card error and changes nothing. Otherwise: customer (created in subscription mode or
 * with customer_creation=always), payment method, then the subscription with its first invoice
 * (trialing with trial_period_days) or a succeeded payment intent, and checkout.session.completed.
 */
export function completeCheckout(em: Emulator, session: CheckoutSession, card: CardInput): CheckoutSession {
  refreshExpiry(em, session);
  if (session.status !== "open") throw invalidRequest(`This Checkout Session is ${session.status}.`, undefined, "checkout_session_unexpected_state");
  const extras = em.store.checkoutExtras.get(session.id);
  if (!extras) throw new Error(`session ${session.id} has no stored options`);
  const at = em.now(session.customer);
  const trialDays = session.mode === "subscription" ? extras.subscriptionData.trialPeriodDays : null;
  const chargesNow = session.amount_total > 0 && !trialDays;

  const pm = createCardPaymentMethod(em, card, at);
  const behaviour = em.store.cardBehaviour.get(pm.id);
  if (behaviour === "decline" || (chargesNow && behaviour !== "succeed")) {
    em.store.paymentMethods.delete(pm.id);
    throw cardError("card_declined", "Your card was declined.", undefined, { decline_code: "generic_decline" });
  }

  const email = session.customer_email ?? (card.email || null);
  let customerId = session.customer;
  if (!customerId && (session.mode === "subscription" || extras.customerCreation === "always")) {
    customerId = createCustomer(em, { email, name: card.name ?? null }).id;
  }
  const customer = customerId ? em.store.customers.get(customerId) : undefined;
  pm.billing_details.email = email ?? customer?.email ?? null;
  pm.billing_details.name = card.name ?? null;
  if (customer && (session.mode === "subscription" || extras.paymentIntentData.setupFutureUsage)) attachPaymentMethod(em, pm, customer.id);

  if (session.mode === "subscription") {
    const { subscription, invoice } = startSubscription(em, {
      customer: customerId!,
      items: extras.lineItems.map((li) => ({ price: em.store.prices.get(li.price)!, quantity: li.quantity })),
      metadata: { ...extras.subscriptionData.metadata },
      // A trial_end given at creation is kept to the second, as Stripe does; trial_period_days count from now.
      trialEnd: extras.subscriptionData.trialEnd ?? (trialDays ? at + trialDays * DAY : null),
      defaultPaymentMethod: pm.id,
      missingPaymentMethod: extras.subscriptionData.missingPaymentMethod,
      automaticTax: extras.automaticTax,
    });
    session.subscription = subscription.id;
    session.invoice = invoice.id;
    session.payment_status = trialDays ? "no_payment_required" : "paid";
  } else {
    const pi = createPaymentIntent(em, {
      amount: session.amount_total,
      currency: session.currency,
      customer: customerId,
      paymentMethod: pm.id,
      metadata: { ...extras.paymentIntentData.metadata },
      description: extras.paymentIntentData.description,
      setupFutureUsage: extras.paymentIntentData.setupFutureUsage,
      created: at,
    });
    const failure = confirmPaymentIntent(em, pi, at);
    if (failure) throw failure;
    session.payment_intent = pi.id;
    session.payment_status = "paid";
  }
  session.customer = customerId;
  session.customer_details = { address: null, email: email ?? customer?.email ?? null, name: card.name ?? null, phone: null, tax_exempt: "none", tax_ids: [] };
  session.status = "complete";
  session.url = null;
  em.emit("checkout.session.completed", session);
  return session;
}
