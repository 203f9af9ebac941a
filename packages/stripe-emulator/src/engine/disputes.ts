import { DAY } from "../clock";
import type { Emulator } from "../emulator";
import { invalidRequest } from "../errors";
import { mergeMetadata, type Params } from "../form";
import { newId } from "../ids";
import type { Charge, Dispute } from "../types";

const EVIDENCE_FIELDS = [
  "access_activity_log", "billing_address", "cancellation_policy", "cancellation_policy_disclosure", "cancellation_rebuttal",
  "customer_communication", "customer_email_address", "customer_name", "customer_purchase_ip", "customer_signature",
  "duplicate_charge_documentation", "duplicate_charge_explanation", "duplicate_charge_id", "product_description", "receipt",
  "refund_policy", "refund_policy_disclosure", "refund_refusal_explanation", "service_date", "service_documentation",
  "shipping_address", "shipping_carrier", "shipping_date", "shipping_documentation", "shipping_tracking_number",
  "uncategorized_file", "uncategorized_text",
] as const;

const OPEN: Dispute["status"][] = ["warning_needs_response", "warning_under_review", "needs_response", "under_review"];

/**
 * The cardholder disputes a charge as fraudulent (test card 4000 0000 0000 0259): the dispute needs a
 * response, the disputed amount is withdrawn (charge.dispute.created, charge.dispute.funds_withdrawn).
 */
export function createDispute(em: Emulator, charge: Charge, at: number): Dispute {
  const pm = em.store.paymentMethods.get(charge.payment_method);
  const evidence: Dispute["evidence"] = Object.fromEntries(EVIDENCE_FIELDS.map((f) => [f, null]));
  evidence.enhanced_evidence = {};
  const dispute: Dispute = {
    id: newId("dp"),
    object: "dispute",
    amount: charge.amount - charge.amount_refunded,
    balance_transactions: [],
    charge: charge.id,
    created: at,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence,
    evidence_details: { due_by: at + 7 * DAY, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: { card: { brand: pm?.card?.brand ?? "visa", case_type: "chargeback", network_reason_code: "10.4" }, type: "card" },
    reason: "fraudulent",
    status: "needs_response",
  };
  em.store.put(em.store.disputes, dispute);
  charge.disputed = true;
  em.emit("charge.dispute.created", dispute);
  em.emit("charge.dispute.funds_withdrawn", dispute);
  return dispute;
}

function close(em: Emulator, dispute: Dispute, status: "won" | "lost"): void {
  dispute.status = status;
  em.emit("charge.dispute.closed", dispute);
  if (status === "won") em.emit("charge.dispute.funds_reinstated", dispute);
}

/**
 * Evidence for a dispute. As in Stripe's test mode, submitted evidence whose uncategorized_text is
 * `winning_evidence` wins the dispute at once and `losing_evidence` loses it; other evidence leaves it
 * under review. `submit=false` only stages the evidence.
 */
export function updateDispute(em: Emulator, dispute: Dispute, p: Params): Dispute {
  const before = structuredClone(dispute);
  const evidence = p.obj("evidence");
  if (evidence) {
    if (!OPEN.includes(dispute.status)) throw invalidRequest(`This dispute is already closed (${dispute.status}); evidence can no longer be submitted.`, "evidence");
    for (const f of EVIDENCE_FIELDS) {
      const v = evidence.nullableStr(f);
      if (v !== undefined) dispute.evidence[f] = v;
    }
  }
  dispute.metadata = mergeMetadata(dispute.metadata, p.metadata(), p.raw.metadata);
  const submit = p.bool("submit") ?? true;
  if (evidence && submit) {
    dispute.evidence_details.submission_count += 1;
    dispute.evidence_details.has_evidence = true;
    dispute.status = dispute.status.startsWith("warning") ? "warning_under_review" : "under_review";
  }
  em.emitChange("charge.dispute.updated", before, dispute, ["status", "evidence", "evidence_details", "metadata"]);
  const text = dispute.evidence.uncategorized_text;
  if (evidence && submit && text === "winning_evidence") close(em, dispute, "won");
  else if (evidence && submit && text === "losing_evidence") close(em, dispute, "lost");
  return dispute;
}

/** Accepting the dispute: it is lost (charge.dispute.closed). */
export function acceptDispute(em: Emulator, dispute: Dispute): Dispute {
  if (!OPEN.includes(dispute.status)) throw invalidRequest(`This dispute is already closed (${dispute.status}).`, undefined, "dispute_already_closed");
  close(em, dispute, "lost");
  return dispute;
}
