import type { PrismaClient } from "@/lib/generated/prisma/client";
import {
  ensurePortalConfiguration, ensureWebhookEndpoint, PINNED_API_VERSION, readTaxStatus, syncStripeCatalog, type Stripe, type TaxStatus,
} from "@/lib/stripe";
import { recordTaxStatus } from "./automatic-tax";
import { HANDLED_EVENT_TYPES } from "./webhook-events";

export interface StripeSetupReport {
  dryRun: boolean;
  /** Changes made on the Stripe account (or, in a dry run, that would be made). Empty: the account is set up. */
  changes: string[];
  /** Price ids recorded in the database (the account had them, the database did not). */
  recorded: string[];
  /** Everything worth reading, line by line, in the order it was done. */
  lines: string[];
  webhookEndpointId: string | null;
  /** Shown once, when this run created the webhook endpoint: it becomes STRIPE_WEBHOOK_SECRET. */
  webhookSecret: string | null;
  tax: TaxStatus;
  /** What STRIPE_AUTOMATIC_TAX=auto makes of that status. */
  automaticTaxWhenAuto: boolean;
}

export const webhookUrlFor = (appUrl: string) => `${appUrl.replace(/\/$/, "")}/api/webhooks/stripe`;

/**
 * Everything the app needs on a Stripe account, created or brought up to date, idempotently: the catalog's
 * products and prices (the same sync the reconcile cron and the dev server run), a billing portal
 * configuration when the account has no active one, and the webhook endpoint for APP_URL subscribed to exactly
 * the event types the webhook handler applies, at the SDK's API version. Stripe Tax's status is read and
 * reported (and recorded for STRIPE_AUTOMATIC_TAX=auto), never changed: activating it is the account owner's
 * decision. A dry run reads the same and changes nothing, on Stripe or in the database.
 */
export async function runStripeSetup(db: PrismaClient, client: Stripe, opts: { appUrl: string; dryRun?: boolean }): Promise<StripeSetupReport> {
  const dryRun = opts.dryRun ?? false;
  const changes: string[] = [];
  const recorded: string[] = [];
  const lines: string[] = [];
  const planned = (s: string) => `${dryRun ? "would " : ""}${s}`;

  if ((await db.plan.count({ where: { active: true } })) === 0) throw new Error("The plan catalog is empty: run `npm run db:seed` (after `npm run db:deploy`) first.");
  const catalog = await syncStripeCatalog(db, client, { dryRun });
  for (const c of catalog.changes) {
    if (c.target === "stripe") changes.push(c.description);
    else recorded.push(c.description);
  }
  lines.push(`catalog: ${catalog.found} prices found${catalog.created ? `, ${catalog.created} ${dryRun ? "to create" : "created"}` : ""}`);
  for (const c of catalog.changes) lines.push(`  ${planned(c.description)}`);

  const portal = await ensurePortalConfiguration(client, { appUrl: opts.appUrl, dryRun });
  if (portal.change) changes.push(portal.change);
  lines.push(
    portal.change
      ? `billing portal: ${planned(portal.change)}`
      : `billing portal: ${portal.value.chosen?.is_default ? `the account's default configuration ${portal.value.chosen.id}` : `configuration ${portal.value.configurationId}`} is active`,
  );

  const url = webhookUrlFor(opts.appUrl);
  const webhook = await ensureWebhookEndpoint(client, { url, events: HANDLED_EVENT_TYPES, apiVersion: PINNED_API_VERSION, dryRun });
  if (webhook.change) changes.push(webhook.change);
  lines.push(webhook.change ? `webhook: ${planned(webhook.change)}` : `webhook: endpoint ${webhook.value.id} for ${url} is at ${PINNED_API_VERSION} with the ${HANDLED_EVENT_TYPES.length} handled event types`);
  for (const note of webhook.notes) lines.push(`  note: ${note}`);
  if (webhook.value.secret) lines.push(`  its signing secret (set STRIPE_WEBHOOK_SECRET to it; Stripe shows it only now): ${webhook.value.secret}`);

  const tax = await readTaxStatus(client);
  const automaticTaxWhenAuto = tax.status === "active";
  if (!dryRun) await recordTaxStatus(db, tax.status, new Date(), client);
  lines.push(
    tax.status === "active"
      ? "Stripe Tax: active; STRIPE_AUTOMATIC_TAX=auto taxes checkouts, upgrades and auto top-ups"
      : tax.status === "pending"
        ? `Stripe Tax: not set up (missing: ${tax.missingFields.join(", ") || "settings"}); STRIPE_AUTOMATIC_TAX=auto leaves automatic tax off until it is activated in the Dashboard (Settings > Tax)`
        : `Stripe Tax: unknown (${tax.error}); STRIPE_AUTOMATIC_TAX=auto leaves automatic tax off`,
  );

  return { dryRun, changes, recorded, lines, webhookEndpointId: webhook.value.id, webhookSecret: webhook.value.secret, tax, automaticTaxWhenAuto };
}
