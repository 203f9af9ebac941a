import { requireStripeTax } from "../account";
import { DAY } from "../clock";
import { invalidRequest, missingParam } from "../errors";
import { render } from "../expand";
import { filterCreated, paginate } from "../list";
import type { Router } from "../router";
import { updateSubscription } from "../engine/changes";
import { attemptInvoicePayment, createInvoice, finalizeInvoice, prorate, subscriptionLine } from "../engine/invoicing";
import { cardError, chargeWouldSucceed, resolvePaymentMethod } from "../engine/payments";
import { billingMode, cancelNow, startSubscription, SUBSCRIPTION_KEYS } from "../engine/subscriptions";
import { getCustomer } from "./customers";
import { mustGet } from "./util";

export function registerSubscriptions(router: Router): void {
  router
    .post("/v1/subscriptions", ({ em, p }) => {
      const customer = getCustomer(em, p.reqStr("customer"));
      if (p.obj("automatic_tax")?.bool("enabled")) requireStripeTax(em);
      const now = em.now(customer.id);
      const items = p.list("items").map((ip) => ({ price: mustGet(em.store.prices, ip.reqStr("price"), ip.name("price")), quantity: ip.int("quantity") ?? 1, metadata: ip.metadata() }));
      const pmParam = p.str("default_payment_method");
      let pmId = customer.invoice_settings.default_payment_method;
      if (pmParam) {
        const pm = resolvePaymentMethod(em, pmParam, now, "default_payment_method");
        if (pm.customer !== customer.id) throw invalidRequest(`The customer does not have a payment method with the ID ${pmParam}. The payment method must be attached to the customer.`, "default_payment_method");
        pmId = pm.id;
      }
      const trialEndRaw = p.str("trial_end");
      const trialDays = p.int("trial_period_days");
      const trialEnd = trialEndRaw === "now" ? null : trialEndRaw ? p.reqInt("trial_end") : trialDays ? now + trialDays * DAY : null;
      const paymentBehavior = p.oneOf("payment_behavior", ["allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete"] as const) ?? "allow_incomplete";
      const amount = items.reduce((s, i) => s + i.price.unit_amount * i.quantity, 0);
      if (!trialEnd && amount > 0 && paymentBehavior === "error_if_incomplete" && !chargeWouldSucceed(em, pmId))
        throw cardError("card_declined", "Your card was declined.", undefined, { decline_code: "generic_decline" });
      const missing = p.obj("trial_settings")?.obj("end_behavior")?.oneOf("missing_payment_method", ["cancel", "create_invoice", "pause"] as const);
      const { subscription } = startSubscription(em, {
        customer: customer.id,
        items,
        metadata: p.metadata() ?? {},
        trialEnd,
        defaultPaymentMethod: pmParam ? pmId : null,
        missingPaymentMethod: missing,
        automaticTax: p.obj("automatic_tax")?.bool("enabled"),
        description: p.str("description"),
        billingMode: p.obj("billing_mode")?.oneOf("type", ["classic", "flexible"] as const),
      });
      return render(subscription);
    })
    .get("/v1/subscriptions/:id", ({ em, params }) => render(mustGet(em.store.subscriptions, params.id!)))
    .post("/v1/subscriptions/:id", ({ em, params, p }) => render(updateSubscription(em, mustGet(em.store.subscriptions, params.id!), p)))
    // Stripe moves a subscription from classic to flexible billing mode, never back.
    .post("/v1/subscriptions/:id/migrate", ({ em, params, p }) => {
      const type = p.obj("billing_mode")?.oneOf("type", ["flexible"] as const);
      if (!type) throw missingParam("billing_mode[type]");
      const sub = mustGet(em.store.subscriptions, params.id!);
      if (sub.billing_mode.type === "flexible") throw invalidRequest("This subscription is already using flexible billing mode.", "billing_mode[type]");
      const before = structuredClone(sub);
      sub.billing_mode = billingMode("flexible", em.now(sub.customer));
      em.emitChange("customer.subscription.updated", before, sub, SUBSCRIPTION_KEYS);
      return render(sub);
    })
    .delete("/v1/subscriptions/:id", ({ em, params, p }) => {
      const sub = mustGet(em.store.subscriptions, params.id!);
      if (sub.status === "canceled") throw invalidRequest(`A canceled subscription can only update its cancellation_details and metadata.`, undefined, "resource_missing");
      const at = em.now(sub.customer);
      if (p.bool("prorate") && p.bool("invoice_now") && sub.status === "active") {
        const item = sub.items.data[0]!;
        const credit = prorate(item.price.unit_amount * item.quantity, sub.current_period_end - at, sub.current_period_end - sub.current_period_start);
        const invoice = createInvoice(em, {
          customer: sub.customer,
          subscription: sub,
          billingReason: "subscription_update",
          lines: [subscriptionLine(sub, item.id, item.price, item.quantity, -credit, { start: at, end: sub.current_period_end }, "Unused time", true)],
          periodStart: at,
          periodEnd: at,
          created: at,
          currency: sub.currency,
        });
        finalizeInvoice(em, invoice, at);
        attemptInvoicePayment(em, invoice, at);
      }
      const details = p.obj("cancellation_details");
      if (details) sub.cancellation_details = { ...sub.cancellation_details, comment: details.nullableStr("comment") ?? null, feedback: details.nullableStr("feedback") ?? null };
      cancelNow(em, sub, at);
      return render(sub);
    })
    .get("/v1/subscriptions", ({ em, p }) => {
      const customer = p.str("customer");
      const status = p.str("status");
      const price = p.str("price");
      const clock = p.str("test_clock");
      let items = [...em.store.subscriptions.values()];
      if (customer) items = items.filter((s) => s.customer === customer);
      if (status && status !== "all") items = items.filter((s) => s.status === status);
      if (!status) items = items.filter((s) => s.status !== "canceled");
      if (price) items = items.filter((s) => s.items.data.some((i) => i.price.id === price));
      if (clock) items = items.filter((s) => s.test_clock === clock);
      return render(paginate(em.store, filterCreated(items, p), p, "/v1/subscriptions"));
    })
    .get("/v1/subscription_items", ({ em, p }) => {
      const sub = mustGet(em.store.subscriptions, p.reqStr("subscription"), "subscription");
      return render(paginate(em.store, sub.items.data, p, `/v1/subscription_items?subscription=${sub.id}`));
    });
}
