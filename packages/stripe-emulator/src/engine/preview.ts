import type { Emulator } from "../emulator";
import { invalidRequest, missingParam, notFound } from "../errors";
import type { Params } from "../form";
import { newId } from "../ids";
import type { Invoice, Subscription } from "../types";
import { changeLines, intervalChanges, isBillable, planItems, prorationDate } from "./changes";
import { draftInvoice } from "./invoicing";

/**
 * `POST /v1/invoices/create_preview` for a change of a subscription's items (`subscription` with
 * `subscription_details[items]`): the invoice the same change made with `subscriptions.update` would bill now,
 * computed by the same code (prorations, flexible or classic credit, pending prorations, automatic tax), with the
 * customer's credit balance applied to `amount_due` as finalizing would. Nothing is stored and no event is sent.
 * Pass the answer's `parent.subscription_details.subscription_proration_date` as the update's `proration_date`
 * and the update bills exactly the previewed amount.
 *
 * Only changes that are invoiced at once are modelled (`proration_behavior=always_invoice`, or an interval
 * change); previews of the next renewal, of schedules or of new subscriptions answer 400.
 */
export function previewInvoice(em: Emulator, p: Params): Invoice {
  const subId = p.str("subscription");
  if (!subId) {
    if (p.has("schedule") || p.has("schedule_details")) throw notModelled("schedule previews");
    throw missingParam("subscription");
  }
  const sub = em.store.subscriptions.get(subId);
  if (!sub) throw notFound(subId, "subscription");
  if (sub.status === "canceled" || sub.status === "incomplete_expired") throw invalidRequest(`The subscription ${sub.id} is ${sub.status}; there is nothing to preview.`, "subscription");
  const customer = p.str("customer");
  if (customer && customer !== sub.customer) throw invalidRequest(`The subscription ${sub.id} does not belong to the customer ${customer}.`, "customer");
  const details = p.obj("subscription_details");
  const planned = details ? planItems(em, sub, details) : null;
  if (!details || !planned) throw notModelled("previews without subscription_details[items] (the next renewal)");
  const at = em.now(sub.customer);
  const prorationBehavior = details.oneOf("proration_behavior", ["always_invoice", "create_prorations", "none"] as const) ?? "create_prorations";
  const intervalChanged = intervalChanges(sub, planned);
  if (prorationBehavior !== "always_invoice" && !intervalChanged) throw notModelled("previews of prorations left for the next renewal (use proration_behavior=always_invoice)");
  const prorationAt = prorationDate(sub, details, at);
  const mode = details.obj("billing_mode")?.oneOf("type", ["classic", "flexible"] as const) ?? sub.billing_mode.type;
  const { lines } = isBillable(sub) ? changeLines(em, sub, planned, { prorationBehavior, intervalChanged, at, prorationAt, flexible: mode === "flexible" }) : { lines: [] };
  const taxParam = p.obj("automatic_tax")?.bool("enabled");
  // A copy, so the preview can be taxed as asked without touching the subscription.
  const taxed: Subscription = taxParam === undefined ? sub : { ...sub, automatic_tax: { disabled_reason: null, enabled: taxParam, liability: taxParam ? { type: "self" } : null } };
  const invoice = draftInvoice(
    em,
    { customer: sub.customer, subscription: taxed, billingReason: "subscription_update", lines: [...(em.store.pendingLines.get(sub.id) ?? []), ...lines], periodStart: at, periodEnd: at, created: at, currency: sub.currency },
    `upcoming_${newId("in")}`,
  );
  // The customer's balance is applied as finalizing applies it, without changing it.
  const balance = em.store.customers.get(sub.customer)?.balance ?? 0;
  invoice.starting_balance = balance;
  invoice.amount_due = Math.max(0, invoice.total + balance);
  invoice.amount_remaining = invoice.amount_due;
  invoice.ending_balance = null;
  invoice.parent = { quote_details: null, subscription_details: { metadata: { ...sub.metadata }, subscription: sub.id, subscription_proration_date: prorationAt }, type: "subscription_details" };
  return invoice;
}

function notModelled(what: string) {
  return invalidRequest(`The local Stripe emulator does not model ${what}.`);
}
