import type { FormObject, FormValue } from "./form";
import { unknownParameter } from "./errors";

/**
 * The keys Stripe accepts inside the nested parameters the app sends (hashes, and the elements of arrays of
 * hashes), at the pinned API version, read from the SDK's declarations (e.g. `SessionCreateParams.LineItem`).
 * `true` is a value not checked further: a scalar, or a hash this emulator does not model key by key
 * (metadata is free-form on Stripe too). A nested key not listed is refused as Stripe refuses it, with 400
 * parameter_unknown naming its full path (`line_items[0][bogus]`).
 */
type Shape = true | { readonly [key: string]: Shape };

const AUTOMATIC_TAX: Shape = { enabled: true, liability: true };

const PHASE_ITEM: Shape = {
  billing_thresholds: true, discounts: true, metadata: true, plan: true, price: true, price_data: true, quantity: true, tax_rates: true,
};

const PHASE: Shape = {
  add_invoice_items: true, application_fee_percent: true, automatic_tax: AUTOMATIC_TAX, billing_cycle_anchor: true, billing_thresholds: true,
  collection_method: true, currency: true, default_payment_method: true, default_tax_rates: true, description: true, discounts: true,
  duration: { interval: true, interval_count: true }, end_date: true, invoice_settings: true, items: PHASE_ITEM, metadata: true,
  on_behalf_of: true, proration_behavior: true, start_date: true, transfer_data: true, trial: true, trial_end: true,
};

export const NESTED_PARAMETERS: Record<string, Readonly<Record<string, Shape>>> = {
  "POST /v1/checkout/sessions": {
    automatic_tax: AUTOMATIC_TAX,
    customer_update: { address: true, name: true, shipping: true },
    line_items: { adjustable_quantity: true, metadata: true, price: true, price_data: true, quantity: true, tax_rates: true },
    payment_intent_data: {
      application_fee_amount: true, capture_method: true, description: true, metadata: true, on_behalf_of: true, receipt_email: true,
      setup_future_usage: true, shipping: true, statement_descriptor: true, statement_descriptor_suffix: true, transfer_data: true, transfer_group: true,
    },
    subscription_data: {
      application_fee_percent: true, billing_cycle_anchor: true, billing_cycle_anchor_config: true, billing_mode: true, default_tax_rates: true,
      description: true, invoice_settings: true, metadata: true, on_behalf_of: true, pending_invoice_item_interval: true, proration_behavior: true,
      transfer_data: true, trial_end: true, trial_period_days: true, trial_settings: true,
    },
  },
  "POST /v1/subscriptions/:id": {
    automatic_tax: AUTOMATIC_TAX,
    items: {
      billing_thresholds: true, clear_usage: true, current_trial: true, deleted: true, discounts: true, id: true, metadata: true, plan: true,
      price: true, price_data: true, quantity: true, tax_rates: true,
    },
  },
  "POST /v1/subscription_schedules/:id": { phases: PHASE },
  "POST /v1/payment_intents": { automatic_payment_methods: { allow_redirects: true, enabled: true }, hooks: { inputs: true } },
  "POST /v1/tax/calculations": {
    customer_details: { address: true, address_source: true, ip_address: true, tax_ids: true, taxability_override: true },
    line_items: { amount: true, metadata: true, performance_location: true, product: true, quantity: true, reference: true, tax_behavior: true, tax_code: true },
  },
};

/** Refuses the first nested key of `params` that the route's shapes do not list. */
export function refuseUnknownNested(route: string, params: FormObject): void {
  const shapes = NESTED_PARAMETERS[route];
  if (!shapes) return;
  for (const [key, shape] of Object.entries(shapes)) {
    if (params[key] !== undefined) check(params[key], shape, key);
  }
}

function check(value: FormValue, shape: Shape, path: string): void {
  if (shape === true || typeof value === "string") return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => check(v, shape, `${path}[${i}]`));
    return;
  }
  for (const [key, inner] of Object.entries(value)) {
    const sub = shape[key];
    if (sub === undefined) throw unknownParameter(`${path}[${key}]`);
    check(inner, sub, `${path}[${key}]`);
  }
}
