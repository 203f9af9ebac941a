import type { Emulator } from "../emulator";
import { StripeError } from "../errors";
import type { Params } from "../form";
import { completeCheckout, refreshExpiry, successRedirect } from "../engine/checkout";
import type { CheckoutSession } from "../types";
import { alert, cardFields, errorMessage, esc, money, page, readCard, type PageResponse } from "./html";

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
<p class="muted">Test cards: 4242 4242 4242 4242 pays · 4000 0000 0000 0002 declines · 4000 0000 0000 0341 saves but later charges fail.</p>
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
    completeCheckout(em, session, readCard(form));
  } catch (err) {
    if (!(err instanceof StripeError)) throw err;
    return render(em, session, errorMessage(err), form, err.status);
  }
  const next = successRedirect(session);
  return next ? { status: 303, redirect: next } : page("Paid", `<h1>Payment complete</h1>`);
}
