import { invalidRequest } from "../errors";
import { render } from "../expand";
import { mergeMetadata } from "../form";
import { filterCreated, paginate } from "../list";
import type { Router } from "../router";
import { confirmPaymentIntent, createPaymentIntent, resolvePaymentMethod } from "../engine/payments";
import { getCustomer } from "./customers";
import { mustGet } from "./util";

/**
 * Payment intents for one-off charges (auto top-up): create with `confirm=true`, `off_session`,
 * `customer` and `payment_method` charges at once; a decline answers 402 card_error with the
 * payment intent in `error.payment_intent` (status requires_payment_method). A card that needs 3-D Secure
 * answers `requires_action` on session, and 402 `authentication_required` off session; a bank debit
 * answers `processing` and settles later.
 */
export function registerPaymentIntents(router: Router): void {
  router
    .post("/v1/payment_intents", ({ em, p }) => {
      const customerId = p.str("customer") ?? null;
      if (customerId) getCustomer(em, customerId);
      const at = em.now(customerId);
      const amount = p.reqInt("amount");
      if (amount < 50) throw invalidRequest("Amount must be at least $0.50 usd", "amount", "amount_too_small");
      const pmParam = p.str("payment_method");
      const pm = pmParam ? resolvePaymentMethod(em, pmParam, at) : undefined;
      if (pm && pm.customer && customerId && pm.customer !== customerId)
        throw invalidRequest(`The provided PaymentMethod ${pm.id} belongs to another customer.`, "payment_method");
      const offSession = p.bool("off_session") ?? false;
      if (offSession && pm && !pm.customer) throw invalidRequest("The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment... It must be attached to a customer to be used off_session.", "payment_method");
      // The pinned API version names the allowed types `allowed_payment_method_types` (older ones: `payment_method_types`).
      const types = p.has("allowed_payment_method_types") ? p.strings("allowed_payment_method_types") : p.strings("payment_method_types");
      if (pm && types.length > 0 && !types.includes(pm.type))
        throw invalidRequest(`The provided PaymentMethod type \`${pm.type}\` is not allowed for this PaymentIntent (allowed: ${types.join(", ")}).`, "payment_method", "payment_intent_incompatible_payment_method");
      const calculationId = p.obj("hooks")?.obj("inputs")?.obj("tax")?.str("calculation");
      if (calculationId) mustGet(em.store.taxCalculations, calculationId, "hooks[inputs][tax][calculation]");
      const pi = createPaymentIntent(em, {
        amount,
        currency: p.reqStr("currency").toLowerCase(),
        customer: customerId,
        paymentMethod: pm?.id ?? null,
        metadata: p.metadata(),
        description: p.str("description"),
        setupFutureUsage: p.oneOf("setup_future_usage", ["off_session", "on_session"] as const) ?? null,
        created: at,
      });
      if (types.length > 0) {
        pi.payment_method_types = types;
        pi.allowed_payment_method_types = types;
      }
      else if (pm) pi.payment_method_types = [pm.type];
      if (calculationId) pi.hooks = { inputs: { tax: { calculation: calculationId } } };
      if (p.bool("confirm")) {
        const failure = confirmPaymentIntent(em, pi, at, { offSession });
        if (failure) throw failure;
      }
      return render(pi);
    })
    .get("/v1/payment_intents/:id", ({ em, params }) => render(mustGet(em.store.paymentIntents, params.id!, "intent")))
    .post("/v1/payment_intents/:id", ({ em, params, p }) => {
      const pi = mustGet(em.store.paymentIntents, params.id!, "intent");
      pi.metadata = mergeMetadata(pi.metadata, p.metadata(), p.raw.metadata);
      const description = p.nullableStr("description");
      if (description !== undefined) pi.description = description;
      return render(pi);
    })
    .post("/v1/payment_intents/:id/confirm", ({ em, params, p }) => {
      const pi = mustGet(em.store.paymentIntents, params.id!, "intent");
      if (pi.status === "succeeded" || pi.status === "canceled")
        throw invalidRequest(`This PaymentIntent's status is ${pi.status}, so it cannot be confirmed.`, undefined, "payment_intent_unexpected_state");
      const at = em.now(pi.customer);
      const pmParam = p.str("payment_method");
      if (pmParam) pi.payment_method = resolvePaymentMethod(em, pmParam, at).id;
      const failure = confirmPaymentIntent(em, pi, at, { offSession: p.bool("off_session") ?? false });
      if (failure) throw failure;
      return render(pi);
    })
    .post("/v1/payment_intents/:id/cancel", ({ em, params, p }) => {
      const pi = mustGet(em.store.paymentIntents, params.id!, "intent");
      if (pi.status === "succeeded" || pi.status === "canceled")
        throw invalidRequest(`You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`, undefined, "payment_intent_unexpected_state");
      pi.status = "canceled";
      pi.canceled_at = em.now(pi.customer);
      pi.cancellation_reason = p.str("cancellation_reason") ?? null;
      em.emit("payment_intent.canceled", pi);
      return render(pi);
    })
    .get("/v1/payment_intents", ({ em, p }) => {
      const customer = p.str("customer");
      let items = [...em.store.paymentIntents.values()];
      if (customer) items = items.filter((x) => x.customer === customer);
      return render(paginate(em.store, filterCreated(items, p), p, "/v1/payment_intents"));
    });
}
