import type { Emulator } from "../emulator";
import { StripeError } from "../errors";
import type { Params } from "../form";
import { attemptInvoicePayment } from "../engine/invoicing";
import { attachPaymentMethod, createCardPaymentMethod } from "../engine/payments";
import { alert, cardFields, date, errorMessage, esc, money, page, readCard, type PageResponse } from "./html";

/** The hosted invoice page (hosted_invoice_url): the invoice, and a card form while it is open. */
export function invoicePage(em: Emulator, invoiceId: string, method: string, form: Params): PageResponse {
  const invoice = em.store.invoices.get(invoiceId);
  if (!invoice || invoice.status === "draft") return page("Not found", `<h1>Invoice not found</h1>`, 404);
  let error: string | undefined;
  if (method === "POST" && invoice.status === "open") {
    try {
      const at = em.now(invoice.customer);
      const pm = createCardPaymentMethod(em, readCard(form), at);
      attachPaymentMethod(em, pm, invoice.customer);
      if (!attemptInvoicePayment(em, invoice, at, pm.id)) error = "Your card was declined.";
    } catch (err) {
      if (!(err instanceof StripeError)) throw err;
      error = errorMessage(err);
    }
    if (!error) return { status: 303, redirect: `/invoices/${invoice.id}` };
  }
  const lines = invoice.lines.data.map((l) => `<tr><td>${esc(l.description)}</td><td class="amount">${esc(money(l.amount, l.currency))}</td></tr>`).join("");
  const body = `<h1>Invoice ${esc(invoice.number)}</h1>
<p class="muted">${esc(em.config.accountName)} · ${date(invoice.created)} · <span class="badge" id="invoice-status">${esc(invoice.status)}</span></p>
<table>${lines}<tr><td><strong>Amount due</strong></td><td class="amount"><strong>${esc(money(invoice.amount_remaining, invoice.currency))}</strong></td></tr></table>
${alert("error", error)}
${invoice.status === "open" ? `<form method="post" action="/invoices/${esc(invoice.id)}">${cardFields()}<button type="submit">Pay</button></form>` : ""}`;
  return page(`Invoice ${invoice.number ?? ""}`, body, error ? 402 : 200);
}
