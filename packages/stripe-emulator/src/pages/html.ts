import { StripeError } from "../errors";
import type { CardInput } from "../engine/payments";
import type { Params } from "../form";

export interface PageResponse {
  status: number;
  html?: string;
  redirect?: string;
}

export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function money(amount: number, currency: string): string {
  const sign = amount < 0 ? "-" : "";
  return `${sign}${currency.toLowerCase() === "usd" ? "$" : currency.toUpperCase() + " "}${(Math.abs(amount) / 100).toFixed(2)}`;
}

export function date(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

export function page(title: string, body: string, status = 200): PageResponse {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;background:#f6f8fa;color:#1a1f36;margin:0;padding:32px 16px}
main{max-width:560px;margin:0 auto;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:28px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.muted{color:#697386;font-size:14px}.badge{display:inline-block;font-size:12px;padding:2px 8px;border-radius:10px;background:#e3e8ee}
label{display:block;font-size:14px;margin:12px 0 4px}input{width:100%;box-sizing:border-box;padding:10px;border:1px solid #cfd7df;border-radius:6px;font-size:15px}
.row{display:flex;gap:12px}.row>div{flex:1}
button{margin-top:16px;padding:11px 16px;border:0;border-radius:6px;background:#635bff;color:#fff;font-size:15px;cursor:pointer}
button.secondary{background:#e3e8ee;color:#1a1f36}
table{width:100%;border-collapse:collapse;font-size:14px}td{padding:6px 0;border-bottom:1px solid #eef1f4}td.amount{text-align:right}
.error{background:#fde8e8;color:#9b1c1c;padding:10px 12px;border-radius:6px;margin:12px 0}
.notice{background:#e6f6ec;color:#1d6b3a;padding:10px 12px;border-radius:6px;margin:12px 0}
form.inline{display:inline}a{color:#635bff}
</style></head><body><main>${body}</main></body></html>`;
  return { status, html };
}

export function alert(kind: "error" | "notice", text: string | null | undefined): string {
  if (!text) return "";
  return kind === "error" ? `<div class="error" role="alert" id="card-errors">${esc(text)}</div>` : `<div class="notice" role="status" id="notice">${esc(text)}</div>`;
}

/** Card fields with Stripe Checkout's ids and names (cardNumber, cardExpiry, cardCvc, billingName). */
export function cardFields(values: { email?: string | null; emailLocked?: boolean; name?: string | null; withEmail?: boolean } = {}): string {
  const email = values.withEmail
    ? `<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" value="${esc(values.email)}"${values.emailLocked ? " readonly" : ""}>`
    : "";
  return `${email}
<label for="cardNumber">Card number</label><input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" required>
<div class="row"><div><label for="cardExpiry">Expiration</label><input id="cardExpiry" name="cardExpiry" autocomplete="cc-exp" placeholder="MM / YY" required></div>
<div><label for="cardCvc">CVC</label><input id="cardCvc" name="cardCvc" inputmode="numeric" autocomplete="cc-csc" placeholder="CVC" required></div></div>
<label for="billingName">Cardholder name</label><input id="billingName" name="billingName" autocomplete="cc-name" value="${esc(values.name)}">`;
}

/** Reads the card fields posted by a hosted page. */
export function readCard(form: Params): CardInput {
  const number = (form.str("cardNumber") ?? "").replace(/\s+/g, "");
  if (!number) throw new StripeError(402, { type: "card_error", code: "incomplete_number", message: "Your card number is incomplete." });
  const expiry = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(form.str("cardExpiry") ?? "");
  if (!expiry) throw new StripeError(402, { type: "card_error", code: "incomplete_expiry", message: "Your card's expiration date is incomplete." });
  return {
    number,
    expMonth: Number(expiry[1]),
    expYear: Number(expiry[2]),
    cvc: form.str("cardCvc") ?? "",
    email: form.str("email") || null,
    name: form.str("billingName") || null,
  };
}

export function errorMessage(err: unknown): string {
  if (err instanceof StripeError) return err.body.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Stripe's 3-D Secure test page: the bank asks the customer to confirm the payment. Each button posts the
 * given hidden fields plus `outcome` (complete or fail) back to `action`.
 */
export function challengePage(accountName: string, action: string, fields: Record<string, string>, amount: string): PageResponse {
  const hidden = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join("");
  const body = `<h1>Confirm your payment</h1>
<p class="muted">3-D Secure test page · ${esc(accountName)}</p>
<p id="challenge">Your bank asks you to confirm the payment of <strong>${esc(amount)}</strong>. In test mode, choose how the authentication ends.</p>
<form method="post" action="${esc(action)}" class="inline">${hidden}<input type="hidden" name="outcome" value="complete"><button type="submit" id="complete-authentication">Complete authentication</button></form>
<form method="post" action="${esc(action)}" class="inline">${hidden}<input type="hidden" name="outcome" value="fail"><button type="submit" class="secondary" id="fail-authentication">Fail authentication</button></form>`;
  return page("Confirm your payment", body);
}
