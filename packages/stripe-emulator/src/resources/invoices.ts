import { invalidRequest, StripeError } from "../errors";
import { render } from "../expand";
import { filterCreated, paginate } from "../list";
import type { Router } from "../router";
import { attemptInvoicePayment, finalizeInvoice, invoicePaymentMethod, voidInvoice } from "../engine/invoicing";
import { attachPaymentMethod, cardError, resolvePaymentMethod } from "../engine/payments";
import { previewInvoice } from "../engine/preview";
import { mustGet } from "./util";

export function registerInvoices(router: Router): void {
  router
    // Before `/v1/invoices/:id`-shaped routes: "create_preview" is not an invoice id.
    .post("/v1/invoices/create_preview", ({ em, p }) => render(previewInvoice(em, p)))
    .get("/v1/invoices/:id", ({ em, params }) => render(mustGet(em.store.invoices, params.id!, "invoice")))
    .get("/v1/invoices/:id/lines", ({ em, params }) => render(mustGet(em.store.invoices, params.id!, "invoice").lines))
    .post("/v1/invoices/:id/pay", ({ em, params, p }) => {
      const invoice = mustGet(em.store.invoices, params.id!, "invoice");
      if (invoice.status === "paid") throw invalidRequest("Invoice is already paid.", undefined, "invoice_already_paid");
      if (invoice.status !== "open") throw invalidRequest(`You can only pay an invoice that is open (this one is ${invoice.status}).`, undefined, "invoice_not_editable");
      const at = em.now(invoice.customer);
      const pmParam = p.str("payment_method");
      let pmId = invoicePaymentMethod(em, invoice);
      if (pmParam) {
        const pm = resolvePaymentMethod(em, pmParam, at);
        if (!pm.customer) attachPaymentMethod(em, pm, invoice.customer);
        pmId = pm.id;
      }
      const paid = attemptInvoicePayment(em, invoice, at, pmId);
      if (!paid) {
        const pi = invoice.payment_intent ? em.store.paymentIntents.get(invoice.payment_intent) : undefined;
        if (pi?.status === "requires_action") {
          throw new StripeError(402, {
            type: "invalid_request_error",
            code: "invoice_payment_intent_requires_action",
            message: "This payment requires additional user action before it can be completed successfully. Payment can be completed using the PaymentIntent associated with the invoice.",
            payment_intent: render(pi),
          });
        }
        const error = pi?.last_payment_error as { code?: string; decline_code?: string; message?: string } | null | undefined;
        throw cardError(error?.code ?? "card_declined", error?.message ?? "Your card was declined.", undefined, { decline_code: error?.decline_code ?? "generic_decline", ...(pi ? { payment_intent: render(pi) } : {}) });
      }
      return render(invoice);
    })
    .post("/v1/invoices/:id/finalize", ({ em, params }) => {
      const invoice = mustGet(em.store.invoices, params.id!, "invoice");
      if (invoice.status !== "draft") throw invalidRequest(`This invoice is already finalized, you can't re-finalize a non-draft invoice.`, undefined, "invoice_already_finalized");
      const at = em.now(invoice.customer);
      // Stripe answers with the error, and the invoice stays a draft (invoice.finalization_failed).
      if (!finalizeInvoice(em, invoice, at)) {
        const error = invoice.last_finalization_error as { code: string; message: string; param?: string };
        throw invalidRequest(error.message, error.param, error.code);
      }
      if (invoice.auto_advance) attemptInvoicePayment(em, invoice, at);
      return render(invoice);
    })
    .post("/v1/invoices/:id/void", ({ em, params }) => {
      const invoice = mustGet(em.store.invoices, params.id!, "invoice");
      if (invoice.status !== "open" && invoice.status !== "uncollectible") throw invalidRequest(`You can only void an open or uncollectible invoice.`, undefined, "invoice_not_editable");
      voidInvoice(em, invoice, em.now(invoice.customer));
      return render(invoice);
    })
    .post("/v1/invoices/:id/mark_uncollectible", ({ em, params }) => {
      const invoice = mustGet(em.store.invoices, params.id!, "invoice");
      if (invoice.status !== "open") throw invalidRequest(`You can only mark an open invoice uncollectible.`, undefined, "invoice_not_editable");
      invoice.status = "uncollectible";
      invoice.next_payment_attempt = null;
      invoice.status_transitions.marked_uncollectible_at = em.now(invoice.customer);
      em.store.dunning.delete(invoice.id);
      em.emit("invoice.marked_uncollectible", invoice);
      return render(invoice);
    })
    .get("/v1/invoices", ({ em, p }) => {
      let items = [...em.store.invoices.values()];
      for (const key of ["customer", "subscription", "status"] as const) {
        const v = p.str(key);
        if (v) items = items.filter((i) => i[key] === v);
      }
      return render(paginate(em.store, filterCreated(items, p), p, "/v1/invoices"));
    });
}
