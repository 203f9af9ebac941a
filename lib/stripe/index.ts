/**
 * The only module that talks to Stripe (the `stripe` SDK is imported here and nowhere else).
 *   stripe() / createStripeClient / setStripeClient   the client, pointed at STRIPE_API_BASE when set (the local emulator)
 *   verifyStripeEvent(body, signature, secret)       webhook signature check, 300 s tolerance
 *   syncStripeCatalog(db, client, { dryRun })         products and prices for active plan versions and packs, by lookup key
 *   readTaxStatus / ensurePortalConfiguration / choosePortalConfiguration / ensureWebhookEndpoint
 *                                                     the account's setup (tax settings, portal configuration, webhook endpoint)
 *   subscriptionPeriod / subscriptionPrice / ...      readers for the fields the app uses, whatever the API version nests them under
 */
export { stripe, createStripeClient, setStripeClient, stripeAccountKey, isStripeError, isCardError, isReplayedAnswer, type Stripe, type StripeConfig } from "./client";
export { verifyStripeEvent, signTestPayload, SIGNATURE_TOLERANCE_SECONDS } from "./webhook";
export { syncStripeCatalog, type CatalogChange, type CatalogSyncResult } from "./catalog";
export {
  readTaxStatus, ensurePortalConfiguration, choosePortalConfiguration, ensureWebhookEndpoint, tallyPortalConfiguration, PINNED_API_VERSION,
  type TaxStatus, type PortalChoice, type EnsureResult, type WebhookEndpointState,
} from "./account";
export { subscriptionPeriod, subscriptionPrice, idOf, invoiceSubscriptionId, invoicePaymentIntentId, chargePaymentIntentId } from "./objects";
