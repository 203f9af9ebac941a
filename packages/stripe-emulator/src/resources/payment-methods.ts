import { invalidRequest } from "../errors";
import { render } from "../expand";
import { mergeMetadata } from "../form";
import { paginate } from "../list";
import type { Router } from "../router";
import { attachPaymentMethod, createCardPaymentMethod, createLinkPaymentMethod, resolvePaymentMethod } from "../engine/payments";
import { getCustomer } from "./customers";
import { mustGet } from "./util";

export function registerPaymentMethods(router: Router): void {
  router
    .post("/v1/payment_methods", ({ em, p }) => {
      const type = p.reqStr("type");
      if (type === "link") return render(createLinkPaymentMethod(em, p.obj("billing_details")?.str("email") ?? null, em.realNow(), p.metadata() ?? {}));
      if (type !== "card") throw invalidRequest(`Only card and link payment methods are available here (got ${type}).`, "type");
      const card = p.obj("card");
      if (!card) throw invalidRequest("Missing required param: card.", "card", "parameter_missing");
      const token = card.str("token");
      if (token) return render(resolvePaymentMethod(em, token, em.realNow(), "card[token]"));
      const billing = p.obj("billing_details");
      return render(
        createCardPaymentMethod(
          em,
          { number: card.reqStr("number"), expMonth: card.reqInt("exp_month"), expYear: card.reqInt("exp_year"), cvc: card.str("cvc"), email: billing?.str("email"), name: billing?.str("name") },
          em.realNow(),
          p.metadata() ?? {},
        ),
      );
    })
    .get("/v1/payment_methods/:id", ({ em, params }) => render(mustGet(em.store.paymentMethods, params.id!)))
    .post("/v1/payment_methods/:id", ({ em, params, p }) => {
      const pm = mustGet(em.store.paymentMethods, params.id!);
      pm.metadata = mergeMetadata(pm.metadata, p.metadata(), p.raw.metadata);
      em.emit("payment_method.updated", pm);
      return render(pm);
    })
    .post("/v1/payment_methods/:id/attach", ({ em, params, p }) => {
      const customer = getCustomer(em, p.reqStr("customer"));
      const pm = resolvePaymentMethod(em, params.id!, em.now(customer.id), "payment_method");
      return render(attachPaymentMethod(em, pm, customer.id));
    })
    .post("/v1/payment_methods/:id/detach", ({ em, params }) => {
      const pm = mustGet(em.store.paymentMethods, params.id!);
      if (!pm.customer) throw invalidRequest("The payment method you provided is not attached to a customer so detachment is impossible.", undefined, "payment_method_unexpected_state");
      const customer = em.store.customers.get(pm.customer);
      pm.customer = null;
      if (customer && customer.invoice_settings.default_payment_method === pm.id) customer.invoice_settings.default_payment_method = null;
      em.emit("payment_method.detached", pm);
      return render(pm);
    })
    .get("/v1/payment_methods", ({ em, p }) => {
      const customer = p.str("customer");
      const type = p.str("type");
      let items = [...em.store.paymentMethods.values()];
      if (customer) items = items.filter((x) => x.customer === customer);
      if (type) items = items.filter((x) => x.type === type);
      return render(paginate(em.store, items, p, "/v1/payment_methods"));
    });
}
