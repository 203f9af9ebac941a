import { addInterval, DAY, HOUR } from "../clock";
import type { Emulator } from "../emulator";
import type { Invoice, Subscription, SubscriptionSchedule } from "../types";
import { settleDebit } from "./debits";
import { attemptInvoicePayment, createInvoice, expirePendingUpdate, finalizeInvoice, invoicePaymentMethod } from "./invoicing";
import { cancelNow, cycleLines, nextPeriodEnd, primaryRecurring, setPeriod, SUBSCRIPTION_KEYS, syncDerived } from "./subscriptions";
import { applyPhaseItems, applyPhaseSettings, phaseAt, releaseSchedule } from "./schedules";

type Due =
  | { at: number; kind: "settle_debit"; paymentIntent: string }
  | { at: number; kind: "pending_update_expiry"; sub: Subscription }
  | { at: number; kind: "trial_will_end"; sub: Subscription }
  | { at: number; kind: "trial_end"; sub: Subscription }
  | { at: number; kind: "period_end"; sub: Subscription }
  | { at: number; kind: "cancel_at"; sub: Subscription }
  | { at: number; kind: "retry"; invoice: Invoice }
  | { at: number; kind: "finalize"; invoice: Invoice };

/** How long Stripe leaves a subscription's renewal invoice a draft (open to changes) before finalizing and charging it. */
export const RENEWAL_DRAFT_SECONDS = HOUR;

function dueActions(em: Emulator, clockId: string | null): Due[] {
  const out: Due[] = [];
  for (const debit of em.store.pendingDebits.values()) {
    const pi = em.store.paymentIntents.get(debit.paymentIntent);
    if (pi && em.clockOf(pi.customer) === clockId) out.push({ at: debit.settleAt, kind: "settle_debit", paymentIntent: debit.paymentIntent });
  }
  for (const sub of em.store.subscriptions.values()) {
    if (em.clockOf(sub.customer) !== clockId) continue;
    // Listed before the period end, so a pending update that expires with the period goes first.
    if (sub.pending_update) out.push({ at: sub.pending_update.expires_at, kind: "pending_update_expiry", sub });
    if (sub.status === "trialing" && sub.trial_end !== null) {
      const notice = sub.trial_end - 3 * DAY;
      if (!em.store.trialNoticeSent.has(sub.id) && sub.trial_start !== null && notice > sub.trial_start) out.push({ at: notice, kind: "trial_will_end", sub });
      out.push({ at: sub.trial_end, kind: "trial_end", sub });
    }
    else if (sub.status === "active" || sub.status === "past_due" || sub.status === "unpaid") {
      if (sub.cancel_at !== null && sub.cancel_at < sub.current_period_end) out.push({ at: sub.cancel_at, kind: "cancel_at", sub });
      else out.push({ at: sub.current_period_end, kind: "period_end", sub });
    }
  }
  for (const invoice of em.store.invoices.values()) {
    if (em.clockOf(invoice.customer) !== clockId) continue;
    if (invoice.status === "draft" && invoice.automatically_finalizes_at !== null) out.push({ at: invoice.automatically_finalizes_at, kind: "finalize", invoice });
    if (invoice.status === "open" && invoice.next_payment_attempt !== null) out.push({ at: invoice.next_payment_attempt, kind: "retry", invoice });
  }
  return out;
}

/**
 * Runs, in time order, everything due up to `until` for the objects of one test clock (or, with
 * `clockId` null, of customers without a clock): trial_will_end notices (3 days before), trial
 * ends, renewals, cancellations at period end, scheduled changes and payment retries. `setTime` moves the clock to each step's time.
 */
export function runDue(em: Emulator, clockId: string | null, until: number, setTime: (t: number) => void = () => {}): number {
  let steps = 0;
  for (; steps < 10_000; steps++) {
    const next = dueActions(em, clockId)
      .filter((d) => d.at <= until)
      .sort((a, b) => a.at - b.at)[0];
    if (!next) break;
    setTime(next.at);
    if (next.kind === "settle_debit") settleDebit(em, next.paymentIntent);
    else if (next.kind === "pending_update_expiry") expirePendingUpdate(em, next.sub, next.at);
    else if (next.kind === "trial_will_end") {
      em.store.trialNoticeSent.add(next.sub.id);
      em.emit("customer.subscription.trial_will_end", next.sub);
    } else if (next.kind === "trial_end") endTrial(em, next.sub, next.at);
    else if (next.kind === "period_end") renew(em, next.sub, next.at);
    else if (next.kind === "cancel_at") cancelNow(em, next.sub, next.at);
    else if (next.kind === "finalize") finalizeAndCharge(em, next.invoice, next.at);
    else retryInvoice(em, next.invoice, next.at);
    em.flushLater();
  }
  return steps;
}

/** Trial over: bill the first paid period to the default card; without one, follow trial_settings. */
export function endTrial(em: Emulator, sub: Subscription, at: number): void {
  const before = structuredClone(sub);
  const hasCard = !!(sub.default_payment_method ?? em.store.customers.get(sub.customer)?.invoice_settings.default_payment_method);
  const behaviour = sub.trial_settings.end_behavior.missing_payment_method;
  if (!hasCard && behaviour === "cancel") {
    cancelNow(em, sub, at, "cancellation_requested");
    return;
  }
  if (!hasCard && behaviour === "pause") {
    sub.status = "paused";
    em.emitChange("customer.subscription.updated", before, sub, SUBSCRIPTION_KEYS);
    em.emit("customer.subscription.paused", sub);
    return;
  }
  const recurring = primaryRecurring(sub);
  sub.billing_cycle_anchor = at;
  sub.status = "active";
  setPeriod(sub, at, addInterval(at, recurring.interval, recurring.interval_count));
  billCycle(em, sub, before, at);
}

/** A period ended: cancel if asked, apply a scheduled phase, else start the next period and bill it. */
export function renew(em: Emulator, sub: Subscription, at: number): void {
  if (sub.cancel_at_period_end || (sub.cancel_at !== null && sub.cancel_at <= at)) {
    cancelNow(em, sub, at);
    return;
  }
  const before = structuredClone(sub);
  const schedule = sub.schedule ? em.store.schedules.get(sub.schedule) : undefined;
  if (schedule && schedule.status === "active" && !applySchedule(em, schedule, sub, at)) return;
  setPeriod(sub, at, nextPeriodEnd(sub, at));
  billCycle(em, sub, before, at);
}

/** Returns false when the schedule ended the subscription. */
function applySchedule(em: Emulator, schedule: SubscriptionSchedule, sub: Subscription, at: number): boolean {
  const phase = phaseAt(schedule, at);
  if (phase) {
    applyPhaseItems(em, sub, phase, at);
    applyPhaseSettings(schedule, sub, phase);
    schedule.current_phase = { start_date: phase.start_date, end_date: phase.end_date };
    return true;
  }
  if (schedule.end_behavior === "cancel") {
    schedule.status = "completed";
    schedule.completed_at = at;
    schedule.current_phase = null;
    em.emit("subscription_schedule.completed", schedule);
    cancelNow(em, sub, at);
    return false;
  }
  releaseSchedule(em, schedule, sub, at);
  return true;
}

/**
 * The new period starts now; its invoice is drafted now and, as on Stripe, left a draft for an hour
 * (automatically_finalizes_at) before it is finalized and charged: until then it is neither paid nor failed.
 */
function billCycle(em: Emulator, sub: Subscription, before: Subscription, at: number): void {
  syncDerived(sub);
  const lines = cycleLines(em, sub, sub.current_period_start, sub.current_period_end);
  const invoice = createInvoice(em, {
    customer: sub.customer, subscription: sub, billingReason: "subscription_cycle", lines, periodStart: before.current_period_start, periodEnd: at,
    created: at, currency: sub.currency, finalizesAt: at + RENEWAL_DRAFT_SECONDS,
  });
  sub.latest_invoice = invoice.id;
  em.emitChange("customer.subscription.updated", before, sub, SUBSCRIPTION_KEYS);
}

/** A draft's hour is up: finalize it and charge it (an unpaid subscription's invoices are finalized, not charged). */
export function finalizeAndCharge(em: Emulator, invoice: Invoice, at: number): void {
  if (!finalizeInvoice(em, invoice, at)) return;
  const sub = invoice.subscription ? em.store.subscriptions.get(invoice.subscription) : undefined;
  if (sub?.status === "unpaid") return;
  attemptInvoicePayment(em, invoice, at);
}

/** A scheduled retry; after the last one fails the subscription becomes unpaid (or is canceled). */
export function retryInvoice(em: Emulator, invoice: Invoice, at: number): void {
  invoice.next_payment_attempt = null;
  const paid = attemptInvoicePayment(em, invoice, at, invoicePaymentMethod(em, invoice));
  if (paid || invoice.next_payment_attempt !== null) return;
  const sub = invoice.subscription ? em.store.subscriptions.get(invoice.subscription) : undefined;
  if (!sub || sub.status === "canceled") return;
  if (em.config.dunning.finalAction === "cancel") {
    cancelNow(em, sub, at, "payment_failed");
    return;
  }
  const before = structuredClone(sub);
  sub.status = "unpaid";
  em.emitChange("customer.subscription.updated", before, sub, SUBSCRIPTION_KEYS);
}

