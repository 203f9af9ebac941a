import type { Emulator } from "../emulator";
import { StripeError } from "../errors";
import type { Params } from "../form";
import { completeCheckout, completeCheckoutByDebit, refreshExpiry, successRedirect } from "../engine/checkout";
import { AUTH_FAILED, testCardBehaviour, type CardInput } from "../engine/payments";
import { randomToken } from "../ids";
import type { CheckoutSession } from "../types";
import { alert, cardFields, challengePage, errorMessage, esc, money, page, readCard, type PageResponse } from "./html";

function summary(em: Emulator, session: CheckoutSession): string {
  const extras = em.store.checkoutExtras.get(session.id);
  const trialDays = extras?.subscriptionData.trialPeriodDays;
  const rows = (extras?.lineItems ?? [])
    .map((li) => {
      const price = em.store.prices.get(li.price);
      const per = price?.recurring ? ` / ${price.recurring.interval}` : "";
      return `<tr><td>${esc(li.description)} × ${li.quantity}</td><td class="amount">${esc(money(li.amount_total, li.currency))}${esc(per)}</td></tr>`;
    })
    .join("");
  const due = trialDays ? 0 : session.amount_total;
  return `<table id="line-items">${rows}
<tr><td><strong>Total due today</strong></td><td class="amount" id="total"><strong>${esc(money(due, session.currency))}</strong></td></tr></table>
${trialDays ? `<p class="muted" id="trial">${trialDays}-day free trial, then ${esc(money(session.amount_total, session.currency))}.</p>` : ""}`;
}

/** The US bank account (ACH debit) alternative: it completes the session now and settles days later. */
function bankForm(session: CheckoutSession): string {
  return `<h2>Or pay by US bank account</h2>
<form method="post" action="/checkout/${esc(session.id)}" id="bank-form">
<input type="hidden" name="method" value="us_bank_account">
<label for="accountHolderName">Account holder name</label><input id="accountHolderName" name="accountHolderName" autocomplete="name">
<label for="routingNumber">Routing number</label><input id="routingNumber" name="routingNumber" inputmode="numeric" placeholder="110000000" required>
<label for="accountNumber">Account number</label><input id="accountNumber" name="accountNumber" inputmode="numeric" placeholder="000123456789" required>
<button type="submit" id="bank-submit" data-testid="hosted-bank-submit-button">Debit bank account</button>
</form>
<p class="muted">Test accounts (routing 110000000): 000123456789 settles, 000222222227 fails for insufficient funds, 000111111113 fails (account closed). A bank debit takes a few days to clear.</p>`;
}

function render(em: Emulator, session: CheckoutSession, error?: string, form?: Params, status = 200): PageResponse {
  const customer = session.customer ? em.store.customers.get(session.customer) : undefined;
  const email = session.customer_email ?? customer?.email ?? form?.str("email") ?? "";
  const locked = !!(session.customer_email ?? customer?.email);
  const cancel = session.cancel_url ? `<p><a id="cancel-link" href="${esc(session.cancel_url)}">Cancel and go back</a></p>` : "";
  const body = `<h1>${esc(em.config.accountName)}</h1>
<p class="muted">${session.mode === "subscription" ? "Subscribe" : "Pay"} · test mode</p>
${summary(em, session)}
${alert("error", error)}
<form method="post" action="/checkout/${esc(session.id)}" id="payment-form">
${cardFields({ withEmail: true, email, emailLocked: locked, name: form?.str("billingName") })}
<button type="submit" id="submit" data-testid="hosted-payment-submit-button">Pay</button>
</form>
<p class="muted">Test cards: 4242 4242 4242 4242 pays · 4000 0000 0000 0002 declines · 4000 0000 0000 9995 insufficient funds · 4000 0000 0000 0341 saves but later charges fail · 4000 0025 0000 3155 and 4000 0027 6000 3184 ask for 3-D Secure · 4000 0000 0000 0259 is disputed.</p>
${session.payment_method_types.includes("us_bank_account") ? bankForm(session) : ""}
${cancel}`;
  return page(`Checkout – ${em.config.accountName}`, body, status);
}

export function checkoutPage(em: Emulator, sessionId: string, method: string, form: Params): PageResponse {
  const session = em.store.checkoutSessions.get(sessionId);
  if (!session) return page("Not found", `<h1>Something went wrong</h1><p>This checkout session does not exist.</p>`, 404);
  refreshExpiry(em, session);
  if (session.status === "expired")
    return page("Expired", `<h1>This checkout session has expired</h1>${session.cancel_url ? `<p><a id="cancel-link" href="${esc(session.cancel_url)}">Go back</a></p>` : ""}`, 410);
  if (session.status === "complete") {
    const next = successRedirect(session);
    return page("Paid", `<h1>Payment complete</h1>${next ? `<p><a id="continue-link" href="${esc(next)}">Continue</a></p>` : ""}`);
  }
  if (method !== "POST") return render(em, session);
  try {
    const challenge = form.str("challenge");
    if (challenge) {
      const pending = em.store.challenges.get(challenge);
      em.store.challenges.delete(challenge);
      if (!pending || pending.page !== `checkout:${session.id}`) return render(em, session, "This authentication has expired; enter your card again.", form, 400);
      if (form.str("outcome") !== "complete") return render(em, session, AUTH_FAILED, form, 402);
      completeCheckout(em, session, pending.card, { authenticated: true });
    } else if (form.str("method") === "us_bank_account") {
      completeCheckoutByDebit(em, session, { routingNumber: form.str("routingNumber") ?? "", accountNumber: form.str("accountNumber") ?? "", name: form.str("accountHolderName") || null, email: form.str("email") || null });
    } else {
      const card = readCard(form);
      if (needsChallenge(card)) return challenge3ds(em, session, card);
      completeCheckout(em, session, card);
    }
  } catch (err) {
    if (!(err instanceof StripeError)) throw err;
    return render(em, session, errorMessage(err), form, err.status);
  }
  const next = successRedirect(session);
  return next ? { status: 303, redirect: next } : page("Paid", `<h1>Payment complete</h1>`);
}

/** Cards that ask for 3-D Secure when they are first used on session (3155, 3184). */
function needsChallenge(card: CardInput): boolean {
  const behaviour = testCardBehaviour(card.number);
  return behaviour === "auth_always" || behaviour === "auth_unless_setup";
}

function challenge3ds(em: Emulator, session: CheckoutSession, card: CardInput): PageResponse {
  const token = randomToken(24);
  em.store.challenges.set(token, { page: `checkout:${session.id}`, card });
  const extras = em.store.checkoutExtras.get(session.id);
  const due = extras?.subscriptionData.trialPeriodDays ? 0 : session.amount_total;
  return challengePage(em.config.accountName, `/checkout/${session.id}`, { challenge: token }, money(due, session.currency));
}
