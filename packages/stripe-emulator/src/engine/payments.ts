import type { Emulator } from "../emulator";
import { StripeError, invalidRequest, notFound } from "../errors";
import { render } from "../expand";
import { newId, randomToken } from "../ids";
import type { CardBehaviour } from "../store";
import type { Charge, Metadata, PaymentIntent, PaymentMethod } from "../types";
import { startDebit } from "./debits";
import { createDispute } from "./disputes";

/** Stripe's test card numbers and how each behaves. */
const TEST_CARDS: Record<string, { brand: string; behaviour: CardBehaviour; funding: string; refundsFail?: true; disputed?: true }> = {
  "4242424242424242": { brand: "visa", behaviour: "succeed", funding: "credit" },
  "4000056655665556": { brand: "visa", behaviour: "succeed", funding: "debit" },
  "5555555555554444": { brand: "mastercard", behaviour: "succeed", funding: "credit" },
  "4000000000000002": { brand: "visa", behaviour: "decline", funding: "credit" },
  "4000000000000341": { brand: "visa", behaviour: "attach_then_fail", funding: "credit" },
  "4000000000009995": { brand: "visa", behaviour: "insufficient_funds", funding: "credit" },
  "4000002500003155": { brand: "visa", behaviour: "auth_unless_setup", funding: "credit" },
  "4000002760003184": { brand: "visa", behaviour: "auth_always", funding: "credit" },
  // Pays, but every refund of its charges fails asynchronously (expired_or_canceled_card).
  "4000000000005126": { brand: "visa", behaviour: "succeed", funding: "credit", refundsFail: true },
  // Pays, then the payment is disputed as fraudulent (charge.dispute.created).
  "4000000000000259": { brand: "visa", behaviour: "succeed", funding: "credit", disputed: true },
};

/** Stripe's test payment method tokens (e.g. `pm_card_visa`) and the numbers behind them. */
const TEST_TOKENS: Record<string, string> = {
  pm_card_visa: "4242424242424242",
  pm_card_visa_debit: "4000056655665556",
  pm_card_mastercard: "5555555555554444",
  pm_card_chargeDeclined: "4000000000000002",
  pm_card_chargeCustomerFail: "4000000000000341",
  pm_card_visa_chargeDeclinedInsufficientFunds: "4000000000009995",
  pm_card_authenticationRequiredOnSetup: "4000002500003155",
  pm_card_authenticationRequired: "4000002760003184",
  pm_card_refundFail: "4000000000005126",
  pm_card_createDispute: "4000000000000259",
};

const DECLINED = "Your card was declined.";
const INSUFFICIENT = "Your card has insufficient funds.";
const AUTH_REQUIRED = "Your card was declined. This transaction requires authentication.";
export const AUTH_FAILED = "We are unable to authenticate your payment method. Please choose a different payment method and try again.";

/** Whether a payment with this method needs the customer's 3-D Secure authentication (and did not get it). */
export function needsAuthentication(em: Emulator, pmId: string | null, authenticated = false): boolean {
  if (!pmId || authenticated) return false;
  const behaviour = em.store.cardBehaviour.get(pmId);
  return behaviour === "auth_always" || (behaviour === "auth_unless_setup" && !em.store.setUpCards.has(pmId));
}

/** The decline a charge to this method gets (code, decline_code, message), or null when it pays. 3-D Secure is separate. */
function declineOf(em: Emulator, pmId: string): { code: string; decline_code: string; message: string } | null {
  const behaviour = em.store.cardBehaviour.get(pmId);
  if (behaviour === "decline" || behaviour === "attach_then_fail") return { code: "card_declined", decline_code: "generic_decline", message: DECLINED };
  if (behaviour === "insufficient_funds") return { code: "card_declined", decline_code: "insufficient_funds", message: INSUFFICIENT };
  return null;
}

/** The card error a charge to this method would end in now (for checks made before charging), or null. */
export function chargeError(em: Emulator, pmId: string | null, opts: { authenticated?: boolean } = {}): StripeError | null {
  if (!pmId) return cardError("card_declined", DECLINED, undefined, { decline_code: "generic_decline" });
  const decline = declineOf(em, pmId);
  if (decline) return cardError(decline.code, decline.message, undefined, { decline_code: decline.decline_code });
  if (needsAuthentication(em, pmId, opts.authenticated)) return cardError("authentication_required", AUTH_REQUIRED, undefined, { decline_code: "authentication_required" });
  return null;
}

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc?: string;
  email?: string | null;
  name?: string | null;
}

function luhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function cardError(code: string, message: string, param?: string, extra: Record<string, unknown> = {}): StripeError {
  return new StripeError(402, {
    type: "card_error",
    code,
    message,
    ...(param ? { param } : {}),
    doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}`,
    ...extra,
  });
}

/** How a card number behaves (any number not in Stripe's list pays). */
export function testCardBehaviour(number: string): CardBehaviour {
  return TEST_CARDS[number.replace(/[\s-]/g, "")]?.behaviour ?? "succeed";
}

/** Creates a card payment method from a number (any Luhn-valid number behaves like 4242). */
export function createCardPaymentMethod(em: Emulator, input: CardInput, created: number, metadata: Metadata = {}): PaymentMethod {
  const number = input.number.replace(/[\s-]/g, "");
  if (!/^\d{12,19}$/.test(number) || !luhn(number)) throw cardError("incorrect_number", "Your card number is incorrect.", "card[number]");
  if (!(input.expMonth >= 1 && input.expMonth <= 12)) throw cardError("invalid_expiry_month", "Your card's expiration month is invalid.", "card[exp_month]");
  const year = input.expYear < 100 ? 2000 + input.expYear : input.expYear;
  const nowDate = new Date(created * 1000);
  if (year < nowDate.getUTCFullYear() || (year === nowDate.getUTCFullYear() && input.expMonth < nowDate.getUTCMonth() + 1))
    throw cardError("invalid_expiry_year", "Your card's expiration year is invalid.", "card[exp_year]");
  if (input.cvc !== undefined && input.cvc !== "" && !/^\d{3,4}$/.test(input.cvc)) throw cardError("invalid_cvc", "Your card's security code is invalid.", "card[cvc]");
  const known = TEST_CARDS[number] ?? { brand: number.startsWith("5") ? "mastercard" : "visa", behaviour: "succeed" as const, funding: "credit" };
  const pm: PaymentMethod = {
    id: newId("pm"),
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: input.email ?? null,
      name: input.name ?? null,
      phone: null,
      tax_id: null,
    },
    card: {
      brand: known.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: input.cvc ? "pass" : null },
      country: "US",
      display_brand: known.brand,
      exp_month: input.expMonth,
      exp_year: year,
      fingerprint: number.slice(-8) + randomToken(8),
      funding: known.funding,
      generated_from: null,
      last4: number.slice(-4),
      networks: { available: [known.brand], preferred: null },
      regulated_status: "unregulated",
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata,
    type: "card",
  };
  em.store.put(em.store.paymentMethods, pm);
  em.store.cardBehaviour.set(pm.id, known.behaviour);
  if ("refundsFail" in known && known.refundsFail) em.store.refundsFail.add(pm.id);
  if ("disputed" in known && known.disputed) em.store.disputedCards.add(pm.id);
  return pm;
}

/**
 * A Link payment method (on Stripe it is saved by Checkout or the Payment Element when the customer pays
 * with Link; here it can also be created directly). It pays like a good card, on and off session.
 */
export function createLinkPaymentMethod(em: Emulator, email: string | null, created: number, metadata: Metadata = {}): PaymentMethod {
  const pm: PaymentMethod = {
    id: newId("pm"),
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: { address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null }, email, name: null, phone: null, tax_id: null },
    created,
    customer: null,
    customer_account: null,
    link: { email },
    livemode: false,
    metadata,
    type: "link",
  };
  em.store.put(em.store.paymentMethods, pm);
  em.store.cardBehaviour.set(pm.id, "succeed");
  return pm;
}

/** A stored payment method, or a fresh one for a test token such as `pm_card_visa`. */
export function resolvePaymentMethod(em: Emulator, id: string, created: number, param = "payment_method"): PaymentMethod {
  const token = TEST_TOKENS[id];
  if (token) return createCardPaymentMethod(em, { number: token, expMonth: 12, expYear: new Date(created * 1000).getUTCFullYear() + 3 }, created);
  const pm = em.store.paymentMethods.get(id);
  if (!pm) throw notFound(id, param);
  return pm;
}

/** Attaches to a customer; Stripe refuses a card that declines (4000 0000 0000 0002) here. */
export function attachPaymentMethod(em: Emulator, pm: PaymentMethod, customerId: string): PaymentMethod {
  if (pm.customer === customerId) return pm;
  if (pm.customer) throw invalidRequest("The payment method you provided has already been attached to a customer.", "payment_method", "payment_method_unexpected_state");
  if (em.store.cardBehaviour.get(pm.id) === "decline")
    throw cardError("card_declined", DECLINED, undefined, { decline_code: "generic_decline" });
  pm.customer = customerId;
  em.emit("payment_method.attached", pm);
  return pm;
}

export function chargeWouldSucceed(em: Emulator, pmId: string | null): boolean {
  return chargeError(em, pmId) === null;
}

export interface NewPaymentIntent {
  amount: number;
  currency: string;
  customer: string | null;
  paymentMethod: string | null;
  metadata?: Metadata;
  description?: string | null;
  setupFutureUsage?: "off_session" | "on_session" | null;
  created: number;
}

export function createPaymentIntent(em: Emulator, input: NewPaymentIntent): PaymentIntent {
  const id = newId("pi");
  const pi: PaymentIntent = {
    id,
    object: "payment_intent",
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: "automatic",
    client_secret: `${id}_secret_${randomToken(24)}`,
    confirmation_method: "automatic",
    created: input.created,
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    excluded_payment_method_types: null,
    managed_payments: null,
    description: input.description ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: input.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: input.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" } },
    payment_method_types: ["card"],
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: input.setupFutureUsage ?? null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: input.paymentMethod ? "requires_confirmation" : "requires_payment_method",
    transfer_data: null,
    transfer_group: null,
  };
  em.store.put(em.store.paymentIntents, pi);
  em.emit("payment_intent.created", pi);
  return pi;
}

export interface Decline {
  code: string;
  decline_code: string;
  message: string;
}

/** A charge that succeeded, is pending (a bank debit on its way) or failed with `decline`. */
export function newCharge(em: Emulator, pi: PaymentIntent, pm: PaymentMethod, ok: boolean, created: number, decline: Decline | null = null, pending = false): Charge {
  const id = newId("ch");
  const failed = !ok && !pending;
  const charge: Charge = {
    id,
    object: "charge",
    amount: pi.amount,
    amount_captured: ok || pending ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: ok ? newId("txn") : null,
    billing_details: pm.billing_details,
    calculated_statement_descriptor: em.config.accountName.toUpperCase().slice(0, 22),
    captured: ok || pending,
    created,
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failed ? (decline?.decline_code === "insufficient_funds" ? "card_declined" : (decline?.code ?? "card_declined")) : null,
    failure_message: failed ? (decline?.message ?? DECLINED) : null,
    fraud_details: {},
    livemode: false,
    metadata: pi.metadata,
    on_behalf_of: null,
    outcome: failed
      ? { network_status: "declined_by_network", reason: decline?.decline_code ?? "generic_decline", risk_level: "normal", risk_score: 20, seller_message: "The bank did not return any further details with this decline.", type: "issuer_declined" }
      : { network_status: "approved_by_network", reason: null, risk_level: "normal", risk_score: 20, seller_message: "Payment complete.", type: "authorized" },
    paid: ok,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details: pm.card
      ? {
          card: { brand: pm.card.brand, country: pm.card.country, exp_month: pm.card.exp_month, exp_year: pm.card.exp_year, fingerprint: pm.card.fingerprint, funding: pm.card.funding, last4: pm.card.last4, network: pm.card.brand },
          type: "card",
        }
      : pm.us_bank_account
        ? { type: "us_bank_account", us_bank_account: { account_holder_type: "individual", account_type: "checking", bank_name: pm.us_bank_account.bank_name, fingerprint: pm.us_bank_account.fingerprint, last4: pm.us_bank_account.last4, routing_number: pm.us_bank_account.routing_number } }
        : { [pm.type]: { country: "US" }, type: pm.type },
    receipt_email: null,
    receipt_number: null,
    receipt_url: `${em.config.publicUrl}/receipts/${id}`,
    refunded: false,
    refunds: { object: "list", data: [], has_more: false, total_count: 0, url: `/v1/charges/${id}/refunds` },
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: ok ? "succeeded" : pending ? "pending" : "failed",
    transfer_data: null,
    transfer_group: null,
  };
  return em.store.put(em.store.charges, charge);
}

export interface ConfirmOptions {
  /** The customer is not there (Stripe's off_session): a payment that needs authentication fails instead of waiting. */
  offSession?: boolean;
  /** The customer just passed a 3-D Secure challenge for this payment (a hosted page). */
  authenticated?: boolean;
}

/**
 * Confirms a payment intent with its payment method. A card: one charge, succeeded or failed (0002 and
 * 0341 decline, 9995 declines for insufficient funds); a card that needs 3-D Secure leaves the payment
 * `requires_action` (on session, and for invoices, whose hosted page asks for it) or fails with
 * `authentication_required` off session. A bank debit is `processing` until it settles (see settleDebit).
 * Emits charge.* and payment_intent.* events. Returns a decline as an error (not thrown) so callers decide
 * whether to answer 402; `requires_action` is not an error (the caller reads the status).
 */
export function confirmPaymentIntent(em: Emulator, pi: PaymentIntent, at: number, opts: ConfirmOptions = {}): StripeError | null {
  const pm = pi.payment_method ? em.store.paymentMethods.get(pi.payment_method) : undefined;
  if (!pm) {
    pi.status = "requires_payment_method";
    return invalidRequest("You cannot confirm this PaymentIntent because it's missing a payment method.", "payment_method", "payment_intent_unexpected_state");
  }
  if (pm.type === "us_bank_account") return startDebit(em, pi, pm, at);
  if (needsAuthentication(em, pm.id, opts.authenticated) && !opts.offSession) {
    pi.status = "requires_action";
    pi.next_action = { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect", stripe_js: `${em.config.publicUrl}/3ds/${pi.id}`, source: pm.id } };
    pi.last_payment_error = null;
    em.emit("payment_intent.requires_action", pi);
    return null;
  }
  const decline = declineOf(em, pm.id) ?? (needsAuthentication(em, pm.id, opts.authenticated) ? { code: "authentication_required", decline_code: "authentication_required", message: AUTH_REQUIRED } : null);
  const ok = decline === null;
  const charge = newCharge(em, pi, pm, ok, at, decline);
  pi.latest_charge = charge.id;
  pi.next_action = null;
  if (ok) {
    pi.status = "succeeded";
    pi.amount_received = pi.amount;
    pi.last_payment_error = null;
    if (pi.customer && pi.setup_future_usage && !pm.customer) attachPaymentMethod(em, pm, pi.customer);
    if (opts.authenticated && pi.setup_future_usage) em.store.setUpCards.add(pm.id);
    em.emit("charge.succeeded", charge);
    em.emit("payment_intent.succeeded", pi);
    if (em.store.disputedCards.has(pm.id)) em.later(() => createDispute(em, charge, at));
    return null;
  }
  const error = { charge: charge.id, code: decline.code, decline_code: decline.decline_code, doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, "-")}`, message: decline.message, payment_method: render(pm), type: "card_error" };
  pi.status = "requires_payment_method";
  pi.last_payment_error = error;
  em.emit("charge.failed", charge);
  em.emit("payment_intent.payment_failed", pi);
  return cardError(decline.code, decline.message, undefined, { decline_code: decline.decline_code, charge: charge.id, payment_intent: render(pi), payment_method: render(pm) });
}

/** The customer failed (or abandoned) the 3-D Secure challenge of a payment waiting for it. */
export function failAuthentication(em: Emulator, pi: PaymentIntent): void {
  const pm = pi.payment_method ? em.store.paymentMethods.get(pi.payment_method) : undefined;
  pi.status = "requires_payment_method";
  pi.next_action = null;
  pi.last_payment_error = {
    code: "payment_intent_authentication_failure",
    doc_url: "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
    message: "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
    payment_method: pm ? render(pm) : null,
    type: "invalid_request_error",
  };
  em.emit("payment_intent.payment_failed", pi);
}
