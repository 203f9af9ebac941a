import { requireStripeTax } from "../account";
import { addInterval } from "../clock";
import type { Emulator } from "../emulator";
import { invalidRequest, notFound } from "../errors";
import { mergeMetadata, type Params } from "../form";
import type { PendingLine } from "../store";
import type { Price, Subscription, SubscriptionItem } from "../types";
import { attemptInvoicePayment, createInvoice, finalizeInvoice, invoicePaymentMethod, prorate, subscriptionLine } from "./invoicing";
import { endTrial } from "./lifecycle";
import { chargeError } from "./payments";
import { describeLine, newItem, productName, SUBSCRIPTION_KEYS, setPeriod, syncDerived, validateItems } from "./subscriptions";

export interface Planned {
  item: SubscriptionItem | null;
  id: string | null;
  price: Price;
  quantity: number;
  deleted: boolean;
  metadata?: Record<string, string>;
}

/** What a pending update may carry (Stripe's pending updates reference). */
const PENDING_UPDATE_PARAMS = ["expand", "payment_behavior", "proration_behavior", "proration_date", "billing_cycle_anchor", "items", "trial_end", "trial_from_plan", "add_invoice_items"];

/** The planned items become the subscription's (a new period when the interval changed). */
function applyItems(em: Emulator, sub: Subscription, kept: Planned[], lines: PendingLine[], newPeriod: { start: number; end: number } | null, at: number): void {
  const period = newPeriod ?? { start: sub.current_period_start, end: sub.current_period_end };
  sub.items.data = kept.map((x) => {
    if (!x.item) return newItem(sub.id, x.price, x.quantity, at, period, x.metadata);
    x.item.price = structuredClone(x.price);
    x.item.quantity = x.quantity;
    if (x.metadata) x.item.metadata = x.metadata;
    return x.item;
  });
  for (const line of lines) {
    const details = line.parent.subscription_item_details as { subscription_item: string };
    if (details.subscription_item === "si_pending") details.subscription_item = sub.items.data.find((i) => i.price.id === line.price.id)?.id ?? details.subscription_item;
  }
  if (newPeriod) {
    sub.billing_cycle_anchor = at;
    setPeriod(sub, newPeriod.start, newPeriod.end);
  }
  syncDerived(sub);
}

/**
 * payment_behavior=pending_if_incomplete: the change is invoiced and charged now, but applied only once that
 * invoice is paid. Paid at once, it applies at once; otherwise (declined, or the card needs 3-D Secure) the
 * subscription keeps its items, shows the change in `pending_update` (expiring at the period end or after 23
 * hours, whichever is first) and its latest invoice is the open one. Paying that invoice (the hosted invoice
 * page, invoices.pay) applies the change (customer.subscription.pending_update_applied); if it expires, the
 * invoice is voided (customer.subscription.pending_update_expired).
 */
function pendingUpdate(em: Emulator, sub: Subscription, planned: Planned[], kept: Planned[], lines: PendingLine[], newPeriod: { start: number; end: number } | null, at: number): Subscription {
  const invoice = createInvoice(em, { customer: sub.customer, subscription: sub, billingReason: "subscription_update", lines: [...(em.store.pendingLines.get(sub.id) ?? []), ...lines], periodStart: at, periodEnd: at, created: at, currency: sub.currency });
  em.store.pendingLines.delete(sub.id);
  const before = structuredClone(sub);
  em.store.pendingUpdates.set(sub.id, {
    invoice: invoice.id,
    apply: (paidAt) => {
      const was = structuredClone(sub);
      applyItems(em, sub, kept, lines, newPeriod, paidAt);
      sub.pending_update = null;
      em.emitChange("customer.subscription.updated", was, sub, SUBSCRIPTION_KEYS);
      em.emit("customer.subscription.pending_update_applied", sub);
    },
  });
  sub.latest_invoice = invoice.id;
  em.emitChange("customer.subscription.updated", before, sub, SUBSCRIPTION_KEYS);
  const open = finalizeInvoice(em, invoice, at);
  if (open && attemptInvoicePayment(em, invoice, at, invoicePaymentMethod(em, invoice))) return sub;
  if (!em.store.pendingUpdates.has(sub.id)) return sub;
  const waiting = structuredClone(sub);
  sub.pending_update = {
    billing_cycle_anchor: newPeriod ? at : null,
    expires_at: Math.min(sub.current_period_end, at + 23 * 3600),
    subscription_items: planned.filter((x) => !x.deleted).map((x) => ({ id: x.id, object: "subscription_item", price: structuredClone(x.price), quantity: x.quantity, metadata: x.metadata ?? x.item?.metadata ?? {} })),
    trial_end: null,
    trial_from_plan: null,
  };
  em.emitChange("customer.subscription.updated", waiting, sub, ["pending_update"]);
  return sub;
}

function fmtDate(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

export function planItems(em: Emulator, sub: Subscription, p: Params): Planned[] | null {
  const params = p.list("items");
  if (params.length === 0) return null;
  const planned: Planned[] = sub.items.data.map((item) => ({ item, id: item.id, price: item.price, quantity: item.quantity, deleted: false }));
  for (const ip of params) {
    const id = ip.str("id");
    const priceId = ip.str("price");
    const price = priceId ? em.store.prices.get(priceId) : undefined;
    if (priceId && !price) throw notFound(priceId, ip.name("price"));
    if (id) {
      const entry = planned.find((x) => x.id === id);
      if (!entry) throw invalidRequest(`Invalid subscription_item id: ${id}`, ip.name("id"));
      if (ip.bool("deleted")) entry.deleted = true;
      if (price) entry.price = price;
      entry.quantity = ip.int("quantity") ?? entry.quantity;
      entry.metadata = ip.metadata() ?? entry.metadata;
    } else {
      if (!price) throw invalidRequest("Missing required param: items[][price].", ip.name("price"), "parameter_missing");
      planned.push({ item: null, id: null, price, quantity: ip.int("quantity") ?? 1, deleted: false, metadata: ip.metadata() });
    }
  }
  const kept = planned.filter((x) => !x.deleted);
  validateItems(kept);
  return planned;
}

/**
 * Stripe's subscription update: items (price/quantity, with prorations per proration_behavior;
 * `always_invoice` bills the difference at once, an interval change restarts the period and
 * bills it), cancel_at_period_end, cancel_at, metadata, default_payment_method, trial_end, automatic_tax.
 */
export function updateSubscription(em: Emulator, sub: Subscription, p: Params): Subscription {
  const at = em.now(sub.customer);
  if (sub.status === "canceled" || sub.status === "incomplete_expired") {
    const allowed = Object.keys(p.raw).every((k) => ["metadata", "cancellation_details", "expand"].includes(k));
    if (!allowed) throw invalidRequest("A canceled subscription can only update its cancellation_details and metadata.");
  }
  const prorationBehavior = p.oneOf("proration_behavior", ["always_invoice", "create_prorations", "none"] as const) ?? "create_prorations";
  const paymentBehavior = p.oneOf("payment_behavior", ["allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete"] as const) ?? "allow_incomplete";
  if (paymentBehavior === "pending_if_incomplete") {
    const other = Object.keys(p.raw).find((k) => !PENDING_UPDATE_PARAMS.includes(k));
    if (other)
      throw invalidRequest(`When \`payment_behavior\` is \`pending_if_incomplete\`, you can only pass the parameters supported by pending updates (${PENDING_UPDATE_PARAMS.join(", ")}); \`${other}\` is not one of them.`, other);
    if (sub.pending_update) throw invalidRequest("This subscription has a pending update; it must be paid or expire before another one is made.", "payment_behavior");
  }
  const cancelAtPeriodEnd = p.bool("cancel_at_period_end");
  const cancelAtRaw = p.nullableStr("cancel_at");
  if (sub.schedule && (cancelAtPeriodEnd !== undefined || cancelAtRaw !== undefined))
    throw invalidRequest(`The subscription is managed by the subscription schedule \`${sub.schedule}\`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.`, "cancel_at_period_end");

  let defaultPm: string | null | undefined;
  const pmRaw = p.nullableStr("default_payment_method");
  if (pmRaw) {
    const pm = em.store.paymentMethods.get(pmRaw);
    if (!pm) throw notFound(pmRaw, "default_payment_method");
    if (pm.customer !== sub.customer)
      throw invalidRequest(`The customer does not have a payment method with the ID ${pmRaw}. The payment method must be attached to the customer.`, "default_payment_method");
    defaultPm = pmRaw;
  } else if (pmRaw === null) defaultPm = null;

  const taxEnabled = p.obj("automatic_tax")?.bool("enabled");
  if (taxEnabled) requireStripeTax(em);

  const planned = planItems(em, sub, p);
  const kept = planned?.filter((x) => !x.deleted) ?? [];
  const intervalChanged = !!planned && intervalChanges(sub, planned);
  const billable = isBillable(sub);

  const prorationAt = prorationDate(sub, p, at);
  const { lines, newPeriod } = planned && billable ? changeLines(em, sub, planned, { prorationBehavior, intervalChanged, at, prorationAt, flexible: sub.billing_mode.type === "flexible" }) : { lines: [], newPeriod: null };
  const invoiceNow = lines.length > 0 && (prorationBehavior === "always_invoice" || intervalChanged);
  if (invoiceNow && paymentBehavior === "error_if_incomplete") {
    const amount = lines.reduce((s, l) => s + l.amount, 0) + (em.store.customers.get(sub.customer)?.balance ?? 0);
    const pm = defaultPm !== undefined ? defaultPm : (sub.default_payment_method ?? em.store.customers.get(sub.customer)?.invoice_settings.default_payment_method ?? null);
    const refusal = amount > 0 ? chargeError(em, pm) : null;
    if (refusal) throw refusal;
  }
  if (invoiceNow && paymentBehavior === "pending_if_incomplete" && planned) return pendingUpdate(em, sub, planned, kept, lines, newPeriod, at);

  const before = structuredClone(sub);
  if (planned) applyItems(em, sub, kept, lines, newPeriod, at);
  if (defaultPm !== undefined) sub.default_payment_method = defaultPm;
  // Before any invoice below is drafted, so an invoice of this change is taxed by the new setting.
  if (taxEnabled !== undefined) sub.automatic_tax = { disabled_reason: null, enabled: taxEnabled, liability: taxEnabled ? { type: "self" } : null };
  sub.metadata = mergeMetadata(sub.metadata, p.metadata(), p.raw.metadata);
  const description = p.nullableStr("description");
  if (description !== undefined) sub.description = description;
  if (cancelAtPeriodEnd !== undefined) {
    sub.cancel_at_period_end = cancelAtPeriodEnd;
    sub.cancel_at = cancelAtPeriodEnd ? sub.current_period_end : null;
    sub.canceled_at = cancelAtPeriodEnd ? at : null;
    sub.cancellation_details = { ...sub.cancellation_details, reason: cancelAtPeriodEnd ? "cancellation_requested" : null };
  }
  if (cancelAtRaw !== undefined) {
    const cancelAt = cancelAtRaw === null ? null : Number(cancelAtRaw);
    if (cancelAt !== null && !Number.isInteger(cancelAt)) throw invalidRequest(`Invalid integer: ${cancelAtRaw}`, "cancel_at");
    sub.cancel_at = cancelAt;
    sub.cancel_at_period_end = cancelAt !== null && cancelAt === sub.current_period_end;
    sub.canceled_at = cancelAt === null ? null : at;
    sub.cancellation_details = { ...sub.cancellation_details, reason: cancelAt === null ? null : "cancellation_requested" };
  }
  const cancellation = p.obj("cancellation_details");
  if (cancellation) {
    sub.cancellation_details = {
      ...sub.cancellation_details,
      comment: cancellation.nullableStr("comment") ?? sub.cancellation_details.comment,
      feedback: cancellation.nullableStr("feedback") ?? sub.cancellation_details.feedback,
    };
  }
  const missing = p.obj("trial_settings")?.obj("end_behavior")?.oneOf("missing_payment_method", ["cancel", "create_invoice", "pause"] as const);
  if (missing) sub.trial_settings = { end_behavior: { missing_payment_method: missing } };

  const trialEnd = p.str("trial_end");
  if (trialEnd !== undefined && trialEnd !== "now") {
    const t = p.reqInt("trial_end");
    if (t <= at) throw invalidRequest("Invalid timestamp: must be an integer Unix timestamp in the future.", "trial_end");
    sub.trial_end = t;
    sub.trial_start = sub.trial_start ?? at;
    if (sub.status === "trialing") {
      sub.billing_cycle_anchor = t;
      setPeriod(sub, sub.current_period_start, t);
    }
  }

  if (lines.length > 0 && !invoiceNow) {
    em.store.pendingLines.set(sub.id, [...(em.store.pendingLines.get(sub.id) ?? []), ...lines]);
  }
  if (invoiceNow) {
    const invoice = createInvoice(em, { customer: sub.customer, subscription: sub, billingReason: "subscription_update", lines: [...(em.store.pendingLines.get(sub.id) ?? []), ...lines], periodStart: at, periodEnd: at, created: at, currency: sub.currency });
    em.store.pendingLines.delete(sub.id);
    sub.latest_invoice = invoice.id;
    em.emitChange("customer.subscription.updated", before, sub, SUBSCRIPTION_KEYS);
    finalizeInvoice(em, invoice, at);
    attemptInvoicePayment(em, invoice, at, invoicePaymentMethod(em, invoice));
  } else {
    em.emitChange("customer.subscription.updated", before, sub, SUBSCRIPTION_KEYS);
  }
  if (trialEnd === "now" && sub.status === "trialing") endTrial(em, sub, at);
  return sub;
}

export const isBillable = (sub: Subscription) => sub.status === "active" || sub.status === "past_due" || sub.status === "unpaid";

/** Whether the new items bill on another interval than the current ones (the period restarts then). */
export function intervalChanges(sub: Subscription, planned: Planned[]): boolean {
  const oldRecurring = sub.items.data[0]?.price.recurring;
  const newRecurring = planned.filter((x) => !x.deleted)[0]?.price.recurring;
  return !!oldRecurring && !!newRecurring && (oldRecurring.interval !== newRecurring.interval || oldRecurring.interval_count !== newRecurring.interval_count);
}

/**
 * `proration_date`: prorations are worked out as though the change happened then (Stripe's way to make an invoice
 * preview and the update that follows it bill the same amount). It must fall within the current period and not
 * after now. Without it, prorations are as of now.
 */
export function prorationDate(sub: Subscription, p: Params, at: number): number {
  if (!p.has("proration_date")) return at;
  const t = p.reqInt("proration_date");
  if (t < sub.current_period_start || t > at) throw invalidRequest("`proration_date` must be within the current billing period and not in the future.", "proration_date");
  return t;
}

interface LineOptions {
  prorationBehavior: "always_invoice" | "create_prorations" | "none";
  intervalChanged: boolean;
  /** When the change is made (a new period starts then). */
  at: number;
  /** When prorations are computed as of (proration_date, else `at`). */
  prorationAt: number;
  flexible: boolean;
}

/**
 * The invoice lines a change of items makes: for each changed item, a credit for its unused time (flexible: the
 * part of what was billed; classic: the list price) and a debit for the remaining time on the new price, or, when
 * the interval changes, the new price for a whole new period. The update and the invoice preview share it, so a
 * preview shows what the update then bills.
 */
export function changeLines(em: Emulator, sub: Subscription, planned: Planned[], o: LineOptions): { lines: PendingLine[]; newPeriod: { start: number; end: number } | null } {
  const lines: PendingLine[] = [];
  const remaining = Math.max(0, sub.current_period_end - o.prorationAt);
  const total = sub.current_period_end - sub.current_period_start;
  const period = { start: o.prorationAt, end: sub.current_period_end };
  const newRecurring = planned.filter((x) => !x.deleted)[0]?.price.recurring;
  const newPeriod = o.intervalChanged && newRecurring ? { start: o.at, end: addInterval(o.at, newRecurring.interval, newRecurring.interval_count) } : null;
  for (const x of planned) {
    const changed = !x.item || x.deleted || x.item.price.id !== x.price.id || x.item.quantity !== x.quantity;
    if (!changed) {
      if (newPeriod && x.item) lines.push(subscriptionLine(sub, x.item.id, x.price, x.quantity, x.price.unit_amount * x.quantity, newPeriod, describeLine(em, x.price, x.quantity), false));
      continue;
    }
    if (x.item && o.prorationBehavior !== "none") {
      const credit = o.flexible ? unusedBilled(em, sub, x.item.id, o.prorationAt) : prorate(x.item.price.unit_amount * x.item.quantity, remaining, total);
      if (credit) lines.push(subscriptionLine(sub, x.item.id, x.item.price, x.item.quantity, -credit, period, `Unused time on ${productName(em, x.item.price)} after ${fmtDate(o.prorationAt)}`, true));
    }
    if (x.deleted) continue;
    if (newPeriod) {
      lines.push(subscriptionLine(sub, x.item?.id ?? "si_pending", x.price, x.quantity, x.price.unit_amount * x.quantity, newPeriod, describeLine(em, x.price, x.quantity), false));
    } else if (o.prorationBehavior !== "none") {
      const debit = prorate(x.price.unit_amount * x.quantity, remaining, total);
      if (debit) lines.push(subscriptionLine(sub, x.item?.id ?? "si_pending", x.price, x.quantity, debit, period, `Remaining time on ${productName(em, x.price)} after ${fmtDate(o.prorationAt)}`, true));
    }
  }
  return { lines, newPeriod };
}

/**
 * Flexible billing mode's credit for unused time: the part after `at` of what was actually billed for the item
 * in its current period (renewal, earlier prorations, pending ones), never more, rather than classic mode's
 * current list price. They differ after a price change without proration (the old price is credited) and after
 * a trial (nothing was billed, nothing is credited).
 */
export function unusedBilled(em: Emulator, sub: Subscription, itemId: string, at: number): number {
  const pendingInvoice = em.store.pendingUpdates.get(sub.id)?.invoice;
  const invoiced = [...em.store.invoices.values()]
    .filter((inv) => inv.customer === sub.customer && inv.status !== "void" && inv.id !== pendingInvoice)
    .flatMap((inv) => inv.lines.data as PendingLine[]);
  let unused = 0;
  for (const line of [...invoiced, ...(em.store.pendingLines.get(sub.id) ?? [])]) {
    const details = line.parent.subscription_item_details as { subscription: string; subscription_item: string } | null;
    if (details?.subscription !== sub.id || details.subscription_item !== itemId) continue;
    const { start, end } = line.period;
    if (end !== sub.current_period_end || start < sub.current_period_start || end <= start) continue;
    unused += (line.amount * (end - Math.max(at, start))) / (end - start);
  }
  return Math.max(0, Math.round(unused));
}
