import type { Emulator } from "../emulator";
import { StripeError } from "../errors";
import type { Params } from "../form";
import { randomToken } from "../ids";
import { attemptInvoicePayment, authenticateInvoicePayment, awaitingAuthentication } from "../engine/invoicing";
import { AUTH_FAILED, attachPaymentMethod, createCardPaymentMethod, testCardBehaviour } from "../engine/payments";
import type { Invoice } from "../types";
import { alert, cardFields, challengePage, date, errorMessage, esc, money, page, readCard, type PageResponse } from "./html";

/**
 * The hosted invoice page (hosted_invoice_url): the invoice and, while it is open, a way to pay it. A
 * payment waiting for 3-D Secure (a renewal or an upgrade charged to a card that asks for it) is confirmed
 * here: "Complete authentication" pays the invoice, "Fail authentication" leaves it open. Another card can
 * be entered instead (one asking for 3-D Secure gets the test challenge first).
 */
export function invoicePage(em: Emulator, invoiceId: string, method: string, form: Params): PageResponse {
  const invoice = em.store.invoices.get(invoiceId);
  if (!invoice || invoice.status === "draft") return page("Not found", `<h1>Invoice not found</h1>`, 404);
  let error: string | undefined;
  if (method === "POST" && invoice.status === "open") {
    try {
      error = pay(em, invoice, form);
      if (error === "challenge") return challenge(em, invoice, form);
    } catch (err) {
      if (!(err instanceof StripeError)) throw err;
      error = errorMessage(err);
    }
    if (!error) return { status: 303, redirect: `/invoices/${invoice.id}` };
  }
  const needsAction = awaitingAuthentication(em, invoice);
  const lines = invoice.lines.data.map((l) => `<tr><td>${esc(l.description)}</td><td class="amount">${esc(money(l.amount, l.currency))}</td></tr>`).join("");
  const authenticate = needsAction
    ? `<div class="notice" role="status" id="requires-action">Your bank needs you to confirm this payment (3-D Secure).</div>
<form method="post" action="/invoices/${esc(invoice.id)}" class="inline"><input type="hidden" name="authenticate" value="complete"><button type="submit" id="complete-authentication">Complete authentication</button></form>
<form method="post" action="/invoices/${esc(invoice.id)}" class="inline"><input type="hidden" name="authenticate" value="fail"><button type="submit" class="secondary" id="fail-authentication">Fail authentication</button></form>
<h2>Or pay with another card</h2>`
    : "";
  const body = `<h1>Invoice ${esc(invoice.number)}</h1>
<p class="muted">${esc(em.config.accountName)} · ${date(invoice.created)} · <span class="badge" id="invoice-status">${esc(invoice.status)}</span></p>
<table>${lines}<tr><td><strong>Amount due</strong></td><td class="amount"><strong>${esc(money(invoice.amount_remaining, invoice.currency))}</strong></td></tr></table>
${alert("error", error)}
${authenticate}
${invoice.status === "open" ? `<form method="post" action="/invoices/${esc(invoice.id)}">${cardFields()}<button type="submit">Pay</button></form>` : ""}`;
  return page(`Invoice ${invoice.number ?? ""}`, body, error ? 402 : 200);
}

/** One POST: authenticate the waiting payment, finish a card's challenge, or pay with a new card. Returns an error, "challenge", or undefined when paid. */
function pay(em: Emulator, invoice: Invoice, form: Params): string | undefined {
  const at = em.now(invoice.customer);
  const outcome = form.str("authenticate");
  if (outcome) return authenticateInvoicePayment(em, invoice, at, outcome === "complete" ? "complete" : "fail") ? undefined : outcome === "complete" ? "Your card was declined." : AUTH_FAILED;
  const token = form.str("challenge");
  if (token) {
    const pending = em.store.challenges.get(token);
    em.store.challenges.delete(token);
    if (!pending || pending.page !== `invoice:${invoice.id}`) return "This authentication has expired; enter your card again.";
    if (form.str("outcome") !== "complete") return AUTH_FAILED;
    return payWithCard(em, invoice, pending.card, at, true);
  }
  const card = readCard(form);
  const behaviour = testCardBehaviour(card.number);
  if (behaviour === "auth_always" || behaviour === "auth_unless_setup") return "challenge";
  return payWithCard(em, invoice, card, at, false);
}

function payWithCard(em: Emulator, invoice: Invoice, card: ReturnType<typeof readCard>, at: number, authenticated: boolean): string | undefined {
  const pm = createCardPaymentMethod(em, card, at);
  attachPaymentMethod(em, pm, invoice.customer);
  if (authenticated) em.store.setUpCards.add(pm.id);
  if (attemptInvoicePayment(em, invoice, at, pm.id, { authenticated })) return undefined;
  const pi = invoice.payment_intent ? em.store.paymentIntents.get(invoice.payment_intent) : undefined;
  return (pi?.last_payment_error as { message?: string } | null | undefined)?.message ?? "Your card was declined.";
}

function challenge(em: Emulator, invoice: Invoice, form: Params): PageResponse {
  const token = randomToken(24);
  em.store.challenges.set(token, { page: `invoice:${invoice.id}`, card: readCard(form) });
  return challengePage(em.config.accountName, `/invoices/${invoice.id}`, { challenge: token }, money(invoice.amount_remaining, invoice.currency));
}
