import { DAY } from "../clock";
import type { Emulator } from "../emulator";
import { invalidRequest } from "../errors";
import { render } from "../expand";
import { createCustomer } from "../resources/customers";
import type { CheckoutSession, ListObject } from "../types";
import type { CheckoutExtras } from "../store";
import { createBankAccountPaymentMethod, type BankInput } from "./debits";
import { attachPaymentMethod, chargeError, confirmPaymentIntent, createCardPaymentMethod, createPaymentIntent, needsAuthentication, type CardInput } from "./payments";
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
 * Pays a session on the hosted page. A card that declines (0002; 0341 and 9995 when a charge is due)
 * throws a card error and changes nothing; so does a card needing 3-D Secure unless `authenticated` (the
 * page asked the customer first). Otherwise: customer (created in subscription mode or with
 * customer_creation=always), payment method, then the subscription with its first invoice (trialing with
 * trial_period_days) or a succeeded payment intent, and checkout.session.completed. A card authenticated
 * here is set up for later payments off session when it is saved (3155 then pays renewals by itself).
 */
export function completeCheckout(em: Emulator, session: CheckoutSession, card: CardInput, opts: { authenticated?: boolean } = {}): CheckoutSession {
  const { extras, at, trialDays, chargesNow } = openSession(em, session);
  const pm = createCardPaymentMethod(em, card, at);
  const behaviour = em.store.cardBehaviour.get(pm.id);
  const refusal = behaviour === "decline" ? chargeError(em, pm.id) : chargesNow ? chargeError(em, pm.id, opts) : needsAuthentication(em, pm.id, opts.authenticated) ? chargeError(em, pm.id) : null;
  if (refusal) {
    em.store.paymentMethods.delete(pm.id);
    throw refusal;
  }
  const saved = session.mode === "subscription" || !!extras.paymentIntentData.setupFutureUsage;
  if (opts.authenticated && saved) em.store.setUpCards.add(pm.id);
  const { customerId, customer } = sessionCustomer(em, session, extras, card.email, card.name);
  pm.billing_details.email = session.customer_email ?? card.email ?? customer?.email ?? null;
  pm.billing_details.name = card.name ?? null;
  if (customer && saved) attachPaymentMethod(em, pm, customer.id);

  if (session.mode === "subscription") {
    const { subscription, invoice } = startSubscription(em, {
      customer: customerId!,
      items: extras.lineItems.map((li) => ({ price: em.store.prices.get(li.price)!, quantity: li.quantity })),
      metadata: { ...extras.subscriptionData.metadata },
      // A trial_end given at creation is kept to the second, as Stripe does; trial_period_days count from now.
      trialEnd: extras.subscriptionData.trialEnd ?? (trialDays ? at + trialDays * DAY : null),
      defaultPaymentMethod: pm.id,
      missingPaymentMethod: extras.subscriptionData.missingPaymentMethod,
      billingMode: extras.subscriptionData.billingMode,
      automaticTax: extras.automaticTax,
      authenticated: opts.authenticated,
    });
    session.subscription = subscription.id;
    session.invoice = invoice.id;
    session.payment_status = trialDays ? "no_payment_required" : "paid";
  } else {
    const pi = sessionPaymentIntent(em, session, extras, customerId, pm.id, at);
    const failure = confirmPaymentIntent(em, pi, at, { authenticated: opts.authenticated });
    if (failure) throw failure;
    session.payment_intent = pi.id;
    session.payment_status = "paid";
  }
  return complete(em, session, customerId, session.customer_email ?? card.email ?? customer?.email ?? null, card.name ?? null);
}

/**
 * Pays a payment-mode session by US bank account debit (ACH): the session completes at once with
 * payment_status `unpaid` and its payment intent `processing`; when the debit settles Stripe sends
 * checkout.session.async_payment_succeeded (payment_status `paid`) or async_payment_failed.
 */
export function completeCheckoutByDebit(em: Emulator, session: CheckoutSession, bank: BankInput): CheckoutSession {
  const { extras, at } = openSession(em, session);
  if (session.mode !== "payment" || !session.payment_method_types.includes("us_bank_account"))
    throw invalidRequest("This Checkout Session does not accept US bank accounts.", "payment_method_types");
  const pm = createBankAccountPaymentMethod(em, bank, at);
  const { customerId, customer } = sessionCustomer(em, session, extras, bank.email, bank.name);
  if (customer && extras.paymentIntentData.setupFutureUsage) attachPaymentMethod(em, pm, customer.id);
  const pi = sessionPaymentIntent(em, session, extras, customerId, pm.id, at);
  pi.payment_method_types = ["us_bank_account"];
  confirmPaymentIntent(em, pi, at);
  session.payment_intent = pi.id;
  session.payment_status = "unpaid";
  return complete(em, session, customerId, session.customer_email ?? bank.email ?? customer?.email ?? null, bank.name ?? null);
}

function openSession(em: Emulator, session: CheckoutSession) {
  refreshExpiry(em, session);
  if (session.status !== "open") throw invalidRequest(`This Checkout Session is ${session.status}.`, undefined, "checkout_session_unexpected_state");
  const extras = em.store.checkoutExtras.get(session.id);
  if (!extras) throw new Error(`session ${session.id} has no stored options`);
  const at = em.now(session.customer);
  const trialDays = session.mode === "subscription" ? extras.subscriptionData.trialPeriodDays : null;
  return { extras, at, trialDays, chargesNow: session.amount_total > 0 && !trialDays };
}

function sessionCustomer(em: Emulator, session: CheckoutSession, extras: CheckoutExtras, email: string | null | undefined, name: string | null | undefined) {
  let customerId = session.customer;
  if (!customerId && (session.mode === "subscription" || extras.customerCreation === "always")) {
    customerId = createCustomer(em, { email: session.customer_email ?? (email || null), name: name ?? null }).id;
  }
  return { customerId, customer: customerId ? em.store.customers.get(customerId) : undefined };
}

function sessionPaymentIntent(em: Emulator, session: CheckoutSession, extras: CheckoutExtras, customerId: string | null, pmId: string, at: number) {
  return createPaymentIntent(em, {
    amount: session.amount_total,
    currency: session.currency,
    customer: customerId,
    paymentMethod: pmId,
    metadata: { ...extras.paymentIntentData.metadata },
    description: extras.paymentIntentData.description,
    setupFutureUsage: extras.paymentIntentData.setupFutureUsage,
    created: at,
  });
}

function complete(em: Emulator, session: CheckoutSession, customerId: string | null, email: string | null, name: string | null): CheckoutSession {
  session.customer = customerId;
  session.customer_details = { address: null, email, name, phone: null, tax_exempt: "none", tax_ids: [] };
  session.status = "complete";
  session.url = null;
  em.emit("checkout.session.completed", session);
  return session;
}
