import type { Emulator } from "./emulator";
import { invalidRequest, notFound } from "./errors";
import { newId } from "./ids";
import type { Metadata, StripeObject } from "./types";

/**
 * What the Stripe account has been set up with in the Dashboard. A fresh account has neither: Stripe Tax is
 * `pending` (no head office), so every request asking for automatic tax fails, and no portal configuration
 * has been saved, so a portal session without a `configuration` fails. Both as Stripe answers them.
 */
export interface AccountSetup {
  /** Stripe Tax active (a head office is set): automatic tax works. */
  stripeTax: boolean;
  /** A default portal configuration exists (as once the Dashboard's portal settings are saved). */
  portalConfiguration: boolean;
}

export const CONFIGURED_ACCOUNT: AccountSetup = { stripeTax: true, portalConfiguration: true };
export const FRESH_ACCOUNT: AccountSetup = { stripeTax: false, portalConfiguration: false };

export interface Address {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

/** `tax.settings` at the pinned API version (a singleton: no id, no created). */
export interface TaxSettings {
  object: "tax.settings";
  defaults: { provider: "stripe"; tax_behavior: "exclusive" | "inclusive" | "inferred_by_currency" | null; tax_code: string | null };
  head_office: { address: Address } | null;
  livemode: false;
  status: "active" | "pending";
  status_details: { active?: Record<string, never>; pending?: { missing_fields: string[] | null } };
}

export interface PortalFeatures {
  customer_update: { allowed_updates: string[]; enabled: boolean };
  invoice_history: { enabled: boolean };
  payment_method_update: { enabled: boolean; payment_method_configuration: string | null };
  subscription_cancel: {
    cancellation_reason: { enabled: boolean; options: string[] };
    enabled: boolean;
    mode: "at_period_end" | "immediately";
    proration_behavior: "always_invoice" | "create_prorations" | "none";
  };
  subscription_pause: { duration: { interval_options: { interval: string; interval_count: number }[]; type: "indefinite" | "interval_options" }; enabled: boolean };
  subscription_update: {
    billing_cycle_anchor: "now" | "unchanged" | null;
    default_allowed_updates: string[];
    enabled: boolean;
    products: { adjustable_quantity: { enabled: boolean; maximum: number | null; minimum: number }; prices: string[]; product: string }[] | null;
    proration_behavior: "always_invoice" | "create_prorations" | "none";
    schedule_at_period_end: { conditions: { type: string }[] };
    trial_update_behavior: "continue_trial" | "end_trial";
  };
}

/** `billing_portal.configuration` at the pinned API version. */
export interface PortalConfiguration extends StripeObject {
  object: "billing_portal.configuration";
  active: boolean;
  application: null;
  business_profile: { headline: string | null; privacy_policy_url: string | null; terms_of_service_url: string | null };
  default_return_url: string | null;
  features: PortalFeatures;
  is_default: boolean;
  login_page: { enabled: boolean; url: string | null };
  metadata: Metadata | null;
  name: string | null;
  updated: number;
}

export const TAX_NOT_ACTIVE_MESSAGE = "Stripe Tax has not been activated on your account. Please visit https://stripe.com/docs/tax/set-up to get started.";
export const PORTAL_NOT_CONFIGURED_MESSAGE =
  "You can’t create a portal session in test mode until you save your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.";

/** The account's tax settings as a fresh account has them, or as one whose head office is in California. */
export function initialTaxSettings(active: boolean): TaxSettings {
  if (!active) {
    return {
      object: "tax.settings",
      defaults: { provider: "stripe", tax_behavior: null, tax_code: null },
      head_office: null,
      livemode: false,
      status: "pending",
      status_details: { pending: { missing_fields: ["head_office"] } },
    };
  }
  return {
    object: "tax.settings",
    defaults: { provider: "stripe", tax_behavior: "exclusive", tax_code: "txcd_10000000" },
    head_office: { address: { city: "San Francisco", country: "US", line1: "510 Townsend Street", line2: null, postal_code: "94103", state: "CA" } },
    livemode: false,
    status: "active",
    status_details: { active: {} },
  };
}

/** Stripe Tax is active once the account has a head office (the only field the emulator requires). */
export function refreshTaxStatus(settings: TaxSettings): void {
  const missing = settings.head_office?.address.country ? [] : ["head_office"];
  settings.status = missing.length ? "pending" : "active";
  settings.status_details = missing.length ? { pending: { missing_fields: missing } } : { active: {} };
}

/** Every request that asks for automatic tax (checkout, subscriptions, schedule phases, tax calculations) goes through here. */
export function requireStripeTax(em: Emulator): void {
  if (em.account.taxSettings.status !== "active") throw invalidRequest(TAX_NOT_ACTIVE_MESSAGE);
}

export function defaultPortalFeatures(): PortalFeatures {
  return {
    customer_update: { allowed_updates: [], enabled: false },
    invoice_history: { enabled: false },
    payment_method_update: { enabled: false, payment_method_configuration: null },
    subscription_cancel: { cancellation_reason: { enabled: false, options: [] }, enabled: false, mode: "at_period_end", proration_behavior: "none" },
    subscription_pause: { duration: { interval_options: [], type: "indefinite" }, enabled: false },
    subscription_update: {
      billing_cycle_anchor: null,
      default_allowed_updates: [],
      enabled: false,
      products: [],
      proration_behavior: "none",
      schedule_at_period_end: { conditions: [] },
      trial_update_behavior: "end_trial",
    },
  };
}

export function newPortalConfiguration(em: Emulator, input: Partial<PortalConfiguration> = {}): PortalConfiguration {
  const now = em.realNow();
  const configuration: PortalConfiguration = {
    id: newId("bpc"),
    object: "billing_portal.configuration",
    active: true,
    application: null,
    business_profile: { headline: null, privacy_policy_url: null, terms_of_service_url: null },
    created: now,
    default_return_url: null,
    features: defaultPortalFeatures(),
    is_default: false,
    livemode: false,
    login_page: { enabled: false, url: null },
    metadata: {},
    name: null,
    updated: now,
    ...input,
  };
  return em.store.put(em.store.portalConfigurations, configuration);
}

/** Puts the account in its starting state (at start and after a reset). */
export function seedAccount(em: Emulator, setup: AccountSetup): void {
  em.account.taxSettings = initialTaxSettings(setup.stripeTax);
  if (setup.portalConfiguration) {
    // What saving the Dashboard's portal settings creates: the default configuration, with the usual features on.
    const features = defaultPortalFeatures();
    features.customer_update = { allowed_updates: ["email", "address", "name"], enabled: true };
    features.invoice_history.enabled = true;
    features.payment_method_update.enabled = true;
    features.subscription_cancel.enabled = true;
    newPortalConfiguration(em, { is_default: true, features });
  }
}

/**
 * The configuration a portal session uses: the one named (it must exist and be active), else the account's
 * default; without either Stripe refuses the session.
 */
export function portalConfigurationFor(em: Emulator, id: string | undefined): PortalConfiguration {
  if (id) {
    const named = em.store.portalConfigurations.get(id);
    if (!named) throw notFound(id, "configuration");
    if (!named.active) throw invalidRequest(`The configuration \`${id}\` is inactive. Activate it or use another configuration.`, "configuration");
    return named;
  }
  const fallback = [...em.store.portalConfigurations.values()].find((c) => c.is_default && c.active);
  if (!fallback) throw invalidRequest(PORTAL_NOT_CONFIGURED_MESSAGE);
  return fallback;
}
