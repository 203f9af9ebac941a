import type { Emulator } from "../emulator";
import { invalidRequest } from "../errors";
import { render } from "../expand";
import { mergeMetadata } from "../form";
import { newId } from "../ids";
import { filterCreated, paginate } from "../list";
import type { Router } from "../router";
import type { Charge, Refund } from "../types";
import { mustGet } from "./util";

function chargeFor(em: Emulator, chargeId: string | undefined, piId: string | undefined): Charge {
  if (chargeId) return mustGet(em.store.charges, chargeId, "charge");
  if (!piId) throw invalidRequest("One of the following params should be provided for this request: payment_intent or charge.", undefined, "parameter_missing");
  const pi = mustGet(em.store.paymentIntents, piId, "payment_intent");
  const charge = pi.latest_charge ? em.store.charges.get(pi.latest_charge) : undefined;
  if (!charge || pi.status !== "succeeded") throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, "payment_intent", "charge_not_refundable");
  return charge;
}

/**
 * A refund that fails after it was created, as Stripe's test card 4000 0000 0000 5126 does: the create call
 * answered `succeeded`; every later read shows `failed` with its failure_reason, the charge's refunded amount
 * goes back down, and refund.updated, refund.failed and charge.refund.updated fire.
 */
function failRefund(em: Emulator, refund: Refund, charge: Charge, reason: string): void {
  const before = structuredClone(refund);
  refund.status = "failed";
  refund.failure_reason = reason;
  charge.amount_refunded -= refund.amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  const inList = charge.refunds.data.find((r) => r.id === refund.id);
  if (inList) Object.assign(inList, structuredClone(refund));
  em.emitChange("refund.updated", before, refund, ["status"]);
  em.emit("refund.failed", refund);
  em.emit("charge.refund.updated", refund);
}

/** Refunds in full or in part; the charge's amount_refunded/refunded change and charge.refunded fires. */
export function registerRefunds(router: Router): void {
  router
    .post("/v1/refunds", ({ em, p }) => {
      const charge = chargeFor(em, p.str("charge"), p.str("payment_intent"));
      if (charge.status !== "succeeded") throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, "charge", "charge_not_refundable");
      if (charge.disputed) throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, "charge", "charge_disputed");
      const remaining = charge.amount - charge.amount_refunded;
      if (remaining <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, "charge", "charge_already_refunded");
      const amount = p.int("amount") ?? remaining;
      if (amount <= 0) throw invalidRequest("Amount must be a positive integer.", "amount");
      if (amount > remaining)
        throw invalidRequest(`Refund amount ($${(amount / 100).toFixed(2)}) is greater than unrefunded amount on charge ($${(remaining / 100).toFixed(2)})`, "amount", "amount_too_large");
      const at = em.now(charge.customer);
      const refund: Refund = {
        id: newId("re"),
        object: "refund",
        amount,
        balance_transaction: newId("txn"),
        charge: charge.id,
        created: at,
        currency: charge.currency,
        customer: charge.customer,
        customer_account: null,
        destination_details: { card: { reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" }, type: "card" },
        livemode: false,
        metadata: p.metadata() ?? {},
        payment_intent: charge.payment_intent,
        payment_method: charge.payment_method,
        reason: p.oneOf("reason", ["duplicate", "fraudulent", "requested_by_customer"] as const) ?? null,
        receipt_number: null,
        source_transfer_reversal: null,
        status: "succeeded",
        transfer_reversal: null,
      };
      em.store.put(em.store.refunds, refund);
      const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded, refunds: structuredClone(charge.refunds) };
      charge.amount_refunded += amount;
      charge.refunded = charge.amount_refunded >= charge.amount;
      charge.refunds.data.unshift(refund);
      charge.refunds.total_count = charge.refunds.data.length;
      em.emit("refund.created", refund);
      em.emit("charge.refunded", charge, previous);
      const answer = render(refund);
      if (em.store.refundsFail.has(charge.payment_method)) failRefund(em, refund, charge, "expired_or_canceled_card");
      return answer;
    })
    .get("/v1/refunds/:id", ({ em, params }) => render(mustGet(em.store.refunds, params.id!, "refund")))
    .post("/v1/refunds/:id", ({ em, params, p }) => {
      const refund = mustGet(em.store.refunds, params.id!, "refund");
      const before = structuredClone(refund);
      refund.metadata = mergeMetadata(refund.metadata, p.metadata(), p.raw.metadata);
      em.emitChange("refund.updated", before, refund, ["metadata"]);
      return render(refund);
    })
    .get("/v1/refunds", ({ em, p }) => {
      let items = [...em.store.refunds.values()];
      for (const key of ["charge", "payment_intent"] as const) {
        const v = p.str(key);
        if (v) items = items.filter((r) => r[key] === v);
      }
      return render(paginate(em.store, filterCreated(items, p), p, "/v1/refunds"));
    });
}
