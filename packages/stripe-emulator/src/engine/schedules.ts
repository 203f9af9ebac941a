import { requireStripeTax } from "../account";
import { addInterval } from "../clock";
import type { Emulator } from "../emulator";
import { invalidRequest, notFound } from "../errors";
import type { Params } from "../form";
import { newId } from "../ids";
import type { AutomaticTaxSetting, SchedulePhase, SchedulePhaseItem, Subscription, SubscriptionSchedule } from "../types";
import { newItem, primaryRecurring, SUBSCRIPTION_KEYS, syncDerived } from "./subscriptions";

function phaseItem(price: string, quantity: number, metadata: Record<string, string> = {}): SchedulePhaseItem {
  return { billing_thresholds: null, discounts: [], metadata, plan: price, price, quantity, tax_rates: [] };
}

function phase(start: number, end: number, items: SchedulePhaseItem[], extra: Partial<SchedulePhase> = {}): SchedulePhase {
  return {
    add_invoice_items: [],
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: null,
    collection_method: null,
    currency: "usd",
    default_payment_method: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    end_date: end,
    invoice_settings: null,
    items,
    metadata: {},
    on_behalf_of: null,
    proration_behavior: "create_prorations",
    start_date: start,
    transfer_data: null,
    trial_end: null,
    ...extra,
  };
}

/** A schedule that takes over an existing subscription: one phase, the current period and items. */
export function scheduleFromSubscription(em: Emulator, sub: Subscription, at: number): SubscriptionSchedule {
  if (sub.schedule) throw invalidRequest(`You cannot migrate a subscription that is already attached to a schedule: \`${sub.schedule}\`.`, "from_subscription");
  if (sub.status === "canceled") throw invalidRequest("You cannot create a subscription schedule from a canceled subscription.", "from_subscription");
  const items = sub.items.data.map((i) => phaseItem(i.price.id, i.quantity, i.metadata));
  // As on Stripe, the phase taken from the subscription carries its settings; the schedule's default_settings
  // stay empty, so a later phase that does not repeat them takes them away when it begins.
  const current = phase(sub.current_period_start, sub.current_period_end, items, {
    currency: sub.currency,
    automatic_tax: structuredClone(sub.automatic_tax as AutomaticTaxSetting),
    default_payment_method: sub.default_payment_method,
    metadata: { ...sub.metadata },
    trial_end: sub.status === "trialing" ? sub.trial_end : null,
  });
  const schedule: SubscriptionSchedule = {
    id: newId("sub_sched"),
    object: "subscription_schedule",
    application: null,
    billing_mode: structuredClone(sub.billing_mode ?? { flexible: null, type: "classic" }),
    canceled_at: null,
    completed_at: null,
    created: at,
    current_phase: { start_date: current.start_date, end_date: current.end_date },
    customer: sub.customer,
    customer_account: null,
    default_settings: {
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: "automatic",
      billing_thresholds: null,
      collection_method: "charge_automatically",
      default_payment_method: null,
      description: null,
      invoice_settings: { account_tax_ids: null, days_until_due: null, issuer: { type: "self" } },
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: "release",
    livemode: false,
    metadata: {},
    phases: [current],
    released_at: null,
    released_subscription: null,
    status: "active",
    subscription: sub.id,
    test_clock: sub.test_clock,
  };
  em.store.put(em.store.schedules, schedule);
  const before = structuredClone(sub);
  sub.schedule = schedule.id;
  em.emit("subscription_schedule.created", schedule);
  em.emitChange("customer.subscription.updated", before, sub, SUBSCRIPTION_KEYS);
  return schedule;
}

/**
 * Replaces the phases (Stripe's `phases[n][items][m][price|quantity]`, `start_date`, `end_date`,
 * `duration[interval|interval_count]` or the older `iterations`). The first phase must keep its start; a phase without an end lasts one interval.
 */
export function updatePhases(em: Emulator, schedule: SubscriptionSchedule, p: Params): void {
  const sub = schedule.subscription ? em.store.subscriptions.get(schedule.subscription) : undefined;
  if (!sub) throw invalidRequest("This schedule has no subscription to change.", "phases");
  const input = p.list("phases");
  if (input.length === 0) return;
  const phases: SchedulePhase[] = [];
  let cursor = schedule.phases[0]?.start_date ?? sub.current_period_start;
  for (const [i, ph] of input.entries()) {
    const startRaw = ph.str("start_date");
    const start = startRaw === undefined ? cursor : startRaw === "now" ? em.now(sub.customer) : ph.reqInt("start_date");
    if (i === 0 && start !== cursor) throw invalidRequest("You can not modify the start date of the current phase.", "phases[0][start_date]");
    const items = ph.list("items").map((it) => {
      const price = it.reqStr("price");
      const stored = em.store.prices.get(price);
      if (!stored) throw notFound(price, it.name("price"));
      if (!stored.recurring) throw invalidRequest("Prices on a schedule phase must be recurring.", it.name("price"));
      return phaseItem(price, it.int("quantity") ?? 1, it.metadata() ?? {});
    });
    if (items.length === 0) throw invalidRequest("Missing required param: phases[" + i + "][items].", ph.name("items"), "parameter_missing");
    const recurring = em.store.prices.get(items[0]!.price)!.recurring!;
    const iterations = ph.int("iterations");
    const duration = ph.obj("duration");
    const durationInterval = duration?.oneOf("interval", ["day", "week", "month", "year"] as const);
    const end =
      ph.int("end_date") ??
      (durationInterval
        ? addInterval(start, durationInterval, duration?.int("interval_count") ?? 1)
        : addInterval(start, recurring.interval, recurring.interval_count * (iterations ?? 1)));
    if (end <= start) throw invalidRequest("The end date of a phase must be after its start date.", ph.name("end_date"));
    const proration = ph.oneOf("proration_behavior", ["always_invoice", "create_prorations", "none"] as const) ?? "create_prorations";
    // Settings a phase does not give fall back to the schedule's default_settings (not to the subscription).
    const taxEnabled = ph.obj("automatic_tax")?.bool("enabled");
    if (taxEnabled) requireStripeTax(em);
    const automaticTax = taxEnabled === undefined ? structuredClone(schedule.default_settings.automatic_tax) : { disabled_reason: null, enabled: taxEnabled, liability: taxEnabled ? { type: "self" } : null };
    const pmId = ph.str("default_payment_method") ?? null;
    if (pmId && em.store.paymentMethods.get(pmId)?.customer !== sub.customer)
      throw invalidRequest(`The customer does not have a payment method with the ID ${pmId}. The payment method must be attached to the customer.`, ph.name("default_payment_method"));
    const trialEndRaw = ph.str("trial_end");
    const trialEnd = trialEndRaw === undefined ? null : trialEndRaw === "now" ? start : ph.reqInt("trial_end");
    phases.push(phase(start, end, items, { currency: sub.currency, metadata: ph.metadata() ?? {}, proration_behavior: proration, automatic_tax: automaticTax, default_payment_method: pmId, trial_end: trialEnd }));
    cursor = end;
  }
  schedule.phases = phases;
  schedule.end_behavior = p.oneOf("end_behavior", ["release", "cancel"] as const) ?? schedule.end_behavior;
  const current = phaseAt(schedule, em.now(sub.customer));
  schedule.current_phase = current ? { start_date: current.start_date, end_date: current.end_date } : null;
  em.emit("subscription_schedule.updated", schedule);
  if (current) {
    // The current phase's settings apply to the subscription at once.
    const before = structuredClone(sub);
    applyPhaseSettings(schedule, sub, current);
    em.emitChange("customer.subscription.updated", before, sub, SUBSCRIPTION_KEYS);
  }
}

/**
 * What entering a phase does to the subscription besides its items: automatic tax and the default payment
 * method become the phase's (or the schedule's default_settings when the phase has none: a phase that does
 * not repeat them turns tax off and leaves the renewal to the customer's invoice default), and the phase's
 * metadata is written over the subscription's.
 */
export function applyPhaseSettings(schedule: SubscriptionSchedule, sub: Subscription, ph: SchedulePhase): void {
  sub.automatic_tax = structuredClone(ph.automatic_tax ?? schedule.default_settings.automatic_tax);
  sub.default_payment_method = (ph.default_payment_method as string | null) ?? schedule.default_settings.default_payment_method ?? null;
  if (Object.keys(ph.metadata).length > 0) sub.metadata = { ...sub.metadata, ...ph.metadata };
}

export function phaseAt(schedule: SubscriptionSchedule, at: number): SchedulePhase | undefined {
  return schedule.phases.find((ph) => ph.start_date <= at && at < ph.end_date);
}

/** Puts a phase's prices on the subscription (no proration: phases change at period ends). */
export function applyPhaseItems(em: Emulator, sub: Subscription, ph: SchedulePhase, at: number): void {
  const same = ph.items.length === sub.items.data.length && ph.items.every((it, i) => sub.items.data[i]?.price.id === it.price && sub.items.data[i]?.quantity === it.quantity);
  if (same) return;
  const period = { start: sub.current_period_start, end: sub.current_period_end };
  sub.items.data = ph.items.map((it, i) => {
    const price = em.store.prices.get(it.price)!;
    const existing = sub.items.data[i];
    if (existing) {
      existing.price = structuredClone(price);
      existing.quantity = it.quantity;
      return existing;
    }
    return newItem(sub.id, price, it.quantity, at, period, it.metadata);
  });
  syncDerived(sub);
  primaryRecurring(sub);
}

export function releaseSchedule(em: Emulator, schedule: SubscriptionSchedule, sub: Subscription | undefined, at: number): void {
  if (schedule.status !== "active" && schedule.status !== "not_started")
    throw invalidRequest(`You cannot release a subscription schedule that is currently in the \`${schedule.status}\` status.`, "schedule");
  schedule.status = "released";
  schedule.released_at = at;
  schedule.released_subscription = schedule.subscription;
  schedule.subscription = null;
  schedule.current_phase = null;
  em.emit("subscription_schedule.released", schedule);
  if (sub) {
    const before = structuredClone(sub);
    sub.schedule = null;
    em.emitChange("customer.subscription.updated", before, sub, SUBSCRIPTION_KEYS);
  }
}
