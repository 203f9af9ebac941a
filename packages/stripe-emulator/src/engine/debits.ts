import type { Emulator } from "../emulator";
import { StripeError } from "../errors";
import { newId, randomToken } from "../ids";
import type { Metadata, PaymentIntent, PaymentMethod } from "../types";
import { newCharge } from "./payments";

/**
 * US bank account debits (ACH), Stripe's asynchronous payment method: a debit is `processing` when it is
 * made and settles later (succeeded or failed). Stripe's test account numbers (routing 110000000) decide
 * how: 000123456789 (or any other) succeeds, 000222222227 fails for insufficient funds, 000111111113 for a
 * closed account, 000111111116 for no such account.
 */
const FAILING_ACCOUNTS: Record<string, { code: string; message: string }> = {
  "000222222227": { code: "insufficient_funds", message: "The customer's account has insufficient funds to cover this payment." },
  "000111111113": { code: "account_closed", message: "The customer's bank account has been closed." },
  "000111111116": { code: "no_account", message: "The customer's bank account could not be located." },
};

export interface BankInput {
  routingNumber: string;
  accountNumber: string;
  name?: string | null;
  email?: string | null;
}

export function bankError(message: string, param: string): StripeError {
  return new StripeError(400, { type: "invalid_request_error", code: "invalid_bank_account", message, param });
}

export function createBankAccountPaymentMethod(em: Emulator, input: BankInput, created: number, metadata: Metadata = {}): PaymentMethod {
  const routing = input.routingNumber.replace(/\s+/g, "");
  const account = input.accountNumber.replace(/\s+/g, "");
  if (!/^\d{9}$/.test(routing)) throw bankError("Routing number must have 9 digits.", "us_bank_account[routing_number]");
  if (!/^\d{4,17}$/.test(account)) throw bankError("Account number must have 4 to 17 digits.", "us_bank_account[account_number]");
  const pm: PaymentMethod = {
    id: newId("pm"),
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: { address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null }, email: input.email ?? null, name: input.name ?? null, phone: null, tax_id: null },
    created,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata,
    type: "us_bank_account",
    us_bank_account: {
      account_holder_type: "individual",
      account_type: "checking",
      bank_name: "STRIPE TEST BANK",
      financial_connections_account: null,
      fingerprint: account.slice(-4) + randomToken(12),
      last4: account.slice(-4),
      networks: { preferred: "ach", supported: ["ach"] },
      routing_number: routing,
      status_details: {},
    },
  };
  em.store.put(em.store.paymentMethods, pm);
  em.store.cardBehaviour.set(pm.id, "succeed");
  em.store.bankAccounts.set(pm.id, account);
  return pm;
}

/** How long a debit takes to settle, in seconds of the customer's clock (a test clock's, or the wall clock's). */
export function settleDelay(em: Emulator): number {
  return em.config.debitSettleSeconds;
}

/** Makes the debit: a pending charge, the payment intent `processing`, settled by the clock (runDue). */
export function startDebit(em: Emulator, pi: PaymentIntent, pm: PaymentMethod, at: number): null {
  const charge = newCharge(em, pi, pm, false, at, null, true);
  pi.latest_charge = charge.id;
  pi.status = "processing";
  pi.processing = { type: "us_bank_account" };
  pi.next_action = null;
  pi.last_payment_error = null;
  const account = em.store.bankAccounts.get(pm.id) ?? "";
  em.store.pendingDebits.set(pi.id, { paymentIntent: pi.id, settleAt: at + settleDelay(em), outcome: FAILING_ACCOUNTS[account] ?? "succeed" });
  em.emit("charge.pending", charge);
  em.emit("payment_intent.processing", pi);
  return null;
}

/** A debit settles: the charge and payment intent succeed or fail, and a checkout session it paid says so. */
export function settleDebit(em: Emulator, paymentIntentId: string): void {
  const debit = em.store.pendingDebits.get(paymentIntentId);
  em.store.pendingDebits.delete(paymentIntentId);
  const pi = em.store.paymentIntents.get(paymentIntentId);
  const charge = pi?.latest_charge ? em.store.charges.get(pi.latest_charge) : undefined;
  if (!debit || !pi || !charge || pi.status !== "processing") return;
  pi.processing = null;
  const session = [...em.store.checkoutSessions.values()].find((s) => s.payment_intent === pi.id);
  if (debit.outcome === "succeed") {
    charge.status = "succeeded";
    charge.paid = true;
    charge.balance_transaction = newId("txn");
    pi.status = "succeeded";
    pi.amount_received = pi.amount;
    em.emit("charge.succeeded", charge);
    em.emit("payment_intent.succeeded", pi);
    if (session) {
      session.payment_status = "paid";
      em.emit("checkout.session.async_payment_succeeded", session);
    }
    return;
  }
  charge.status = "failed";
  charge.captured = false;
  charge.amount_captured = 0;
  charge.failure_code = debit.outcome.code;
  charge.failure_message = debit.outcome.message;
  pi.status = "requires_payment_method";
  pi.last_payment_error = { code: debit.outcome.code, message: debit.outcome.message, payment_method: structuredClone(em.store.paymentMethods.get(String(pi.payment_method))), type: "invalid_request_error" };
  em.emit("charge.failed", charge);
  em.emit("payment_intent.payment_failed", pi);
  if (session) em.emit("checkout.session.async_payment_failed", session);
}
