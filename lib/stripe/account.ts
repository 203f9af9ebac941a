import Stripe from "stripe";
import { isStripeError } from "./client";

/** Metadata that marks the objects `npm run stripe:setup` made, so later runs recognise them. */
const MADE_BY_TALLY = { tally: "stripe-setup" } as const;

// ---------------------------------------------------------------------------------------------- Stripe Tax

export interface TaxStatus {
  /** tax.settings status; "unknown" when the key may not read the settings. */
  status: "active" | "pending" | "unknown";
  /** Fields Stripe still needs before Stripe Tax can calculate (status pending). */
  missingFields: string[];
  /** Why the status is unknown. */
  error?: string;
}

/**
 * Stripe Tax's status (GET /v1/tax/settings): `active` once the account's head office and defaults are set in
 * the Dashboard. A key without permission to read tax settings gets "unknown"; anything else is thrown.
 */
export async function readTaxStatus(client: Stripe): Promise<TaxStatus> {
  try {
    const settings = await client.tax.settings.retrieve();
    const missing = settings.status_details.pending?.missing_fields ?? [];
    return { status: settings.status === "active" ? "active" : "pending", missingFields: missing };
  } catch (e) {
    if (isStripeError(e) && (e.statusCode === 401 || e.statusCode === 403)) return { status: "unknown", missingFields: [], error: e.message };
    throw e;
  }
}

// ---------------------------------------------------------------------------------- Billing portal

/** What Tally's portal offers: card, invoices, contact details, cancel at the period end. Plan changes happen in the app, with its rules. */
export function tallyPortalConfiguration(appUrl: string): Stripe.BillingPortal.ConfigurationCreateParams {
  return {
    business_profile: { headline: "Manage your Tally billing" },
    default_return_url: `${appUrl.replace(/\/$/, "")}/app`,
    features: {
      customer_update: { enabled: true, allowed_updates: ["email", "address", "name", "tax_id"] },
      invoice_history: { enabled: true },
      payment_method_update: { enabled: true },
      subscription_cancel: { enabled: true, mode: "at_period_end", proration_behavior: "none" },
      subscription_update: { enabled: false },
    },
    metadata: { ...MADE_BY_TALLY },
  };
}

export interface PortalChoice {
  /** The configuration portal sessions name; null: the account's default applies (no parameter needed). */
  configurationId: string | null;
  /** False when the account has no active configuration at all: portal sessions would be refused. */
  ready: boolean;
  /** The configuration chosen, for reports. */
  chosen: Stripe.BillingPortal.Configuration | null;
}

async function activeConfigurations(client: Stripe): Promise<Stripe.BillingPortal.Configuration[]> {
  const out: Stripe.BillingPortal.Configuration[] = [];
  for await (const c of client.billingPortal.configurations.list({ active: true, limit: 100 })) out.push(c);
  return out;
}

/**
 * Which portal configuration sessions use: the account's default when there is one (what the Dashboard's
 * portal settings save), else the one `stripe:setup` made, else any active one. A configuration made through
 * the API is never the default, so sessions must name it.
 */
export async function choosePortalConfiguration(client: Stripe): Promise<PortalChoice> {
  const active = await activeConfigurations(client);
  const byDefault = active.find((c) => c.is_default);
  if (byDefault) return { configurationId: null, ready: true, chosen: byDefault };
  const chosen = active.find((c) => c.metadata?.tally === MADE_BY_TALLY.tally) ?? active[0] ?? null;
  return { configurationId: chosen?.id ?? null, ready: !!chosen, chosen };
}

export interface EnsureResult<T> {
  /** What was changed (or, in a dry run, would be); null when nothing. */
  change: string | null;
  value: T;
  notes: string[];
}

/** Creates Tally's portal configuration when the account has no active one; an existing one is left as it is. */
export async function ensurePortalConfiguration(client: Stripe, opts: { appUrl: string; dryRun: boolean }): Promise<EnsureResult<PortalChoice>> {
  const choice = await choosePortalConfiguration(client);
  if (choice.ready) return { change: null, value: choice, notes: [] };
  if (opts.dryRun) return { change: "create a billing portal configuration (cards, invoices, details, cancel at period end)", value: choice, notes: [] };
  const created = await client.billingPortal.configurations.create(tallyPortalConfiguration(opts.appUrl));
  return { change: `created billing portal configuration ${created.id}`, value: { configurationId: created.id, ready: true, chosen: created }, notes: [] };
}

// ---------------------------------------------------------------------------------- Webhook endpoint

export interface WebhookEndpointState {
  id: string | null;
  /** The signing secret, only when the endpoint was created by this run (Stripe shows it once). */
  secret: string | null;
}

const sameEvents = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * One webhook endpoint for `url`, at `apiVersion` (the SDK's pinned version, so events have the shapes the
 * code reads), subscribed to exactly `events`. An endpoint's API version cannot be changed, so an endpoint for
 * the URL at another version is left running and a new one is created beside it: the operator switches
 * STRIPE_WEBHOOK_SECRET to the new secret, then deletes the old endpoint (events missed meanwhile come back
 * through the reconcile cron's events list).
 */
export async function ensureWebhookEndpoint(
  client: Stripe,
  opts: { url: string; events: readonly string[]; apiVersion: string; dryRun: boolean },
): Promise<EnsureResult<WebhookEndpointState>> {
  const all: Stripe.WebhookEndpoint[] = [];
  for await (const w of client.webhookEndpoints.list({ limit: 100 })) all.push(w);
  const forUrl = all.filter((w) => w.url === opts.url);
  const atVersion = forUrl.filter((w) => w.api_version === opts.apiVersion);
  const endpoint = atVersion.find((w) => w.status === "enabled") ?? atVersion[0];
  const notes = forUrl
    .filter((w) => w !== endpoint)
    .map((w) => `webhook endpoint ${w.id} also sends events to ${opts.url} (API version ${w.api_version ?? "the account's default"}, ${w.status}): delete it once STRIPE_WEBHOOK_SECRET is the secret of ${endpoint?.id ?? "the new endpoint"}`);
  if (endpoint) {
    const eventsRight = sameEvents(endpoint.enabled_events, opts.events);
    const enabled = endpoint.status === "enabled";
    if (eventsRight && enabled) return { change: null, value: { id: endpoint.id, secret: null }, notes };
    const what = [
      ...(enabled ? [] : ["enable it"]),
      ...(eventsRight ? [] : [`set its events (${diffEvents(endpoint.enabled_events, opts.events)})`]),
    ].join(" and ");
    if (!opts.dryRun) await client.webhookEndpoints.update(endpoint.id, { enabled_events: [...opts.events] as Stripe.WebhookEndpointUpdateParams.EnabledEvent[], disabled: false });
    return { change: `${opts.dryRun ? "update" : "updated"} webhook endpoint ${endpoint.id}: ${what}`, value: { id: endpoint.id, secret: null }, notes };
  }
  if (opts.dryRun) return { change: `create a webhook endpoint for ${opts.url} at API version ${opts.apiVersion} with ${opts.events.length} event types`, value: { id: null, secret: null }, notes };
  const created = await client.webhookEndpoints.create({
    url: opts.url,
    enabled_events: [...opts.events] as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
    api_version: opts.apiVersion as Stripe.WebhookEndpointCreateParams.ApiVersion,
    description: "Tally: subscriptions, invoices, packs, refunds and disputes",
    metadata: { ...MADE_BY_TALLY },
  });
  return { change: `created webhook endpoint ${created.id} for ${opts.url} (API version ${opts.apiVersion}, ${opts.events.length} event types)`, value: { id: created.id, secret: created.secret ?? null }, notes };
}

function diffEvents(current: readonly string[], wanted: readonly string[]): string {
  const add = wanted.filter((e) => !current.includes(e));
  const remove = current.filter((e) => !wanted.includes(e));
  return [...add.map((e) => `+${e}`), ...remove.map((e) => `-${e}`)].join(" ");
}

/** The API version this code reads Stripe's objects at: the one the installed SDK pins. */
export const PINNED_API_VERSION: string = Stripe.API_VERSION;
