/**
 * Payments: applies Stripe's state to the database, calling the billing engine for every ledger and
 * window effect. No framework imports; Stripe is reached only through lib/stripe.
 *
 * Webhook and sync
 *   handleStripeWebhook(req) -> Response                 POST /api/webhooks/stripe (verify, store, apply once)
 *   processStripeEvent(db, event)                        the event store: at most once; Stripe read first, then effects in one transaction
 *   syncSubscription(db, { subscriptionId, workspaceId? }) convergent: reads Stripe, then applies under the workspace's row lock
 *   applyCheckoutSession / syncCheckoutReturn            checkout completion (webhook and success page race safely)
 *   (through processStripeEvent, each as a read phase before the event's transaction and an apply phase in it)
 *   invoices.ts: invoice list (payments waiting for 3-D Secure or declined, finalization failures), plan grants per paid invoice
 *   refunds.ts: refund clawbacks and give-backs; disputes.ts: a pack's units frozen, given back if won, operators told
 *   checkout-events.ts: pack purchases paid by bank debit that failed, checkouts that expired; trials.ts: trial_will_end told once
 *   notifyOwners, alertOperators                         Notification rows (sent after commit) and OperatorAlert rows
 * Owner actions
 *   startPlanCheckout, startPackCheckout, startTrial, upgradeNow (paid before it applies; may answer requires_action), scheduleDowngrade, cancelScheduledChange,
 *   previewUpgrades (Stripe's invoice preview of an upgrade: the amount due today, and the proration date upgradeNow honours),
 *   setCancelAtPeriodEnd, openBillingPortal, refundExtrasPurchase, assertPurchasesAllowed
 * Operator changes (the console; inside the caller's transaction, which holds the subscription row's lock)
 *   moveSubscriptionPrice (now, no proration), cancelSubscriptionNow
 * Jobs (cron)
 *   runDunning, endExpiredTrials, resyncSubscriptions, retryFailedEvents, recoverMissedEvents, repairStripeCatalog
 * Auto top-up
 *   createStripePaymentsPort / registerStripePaymentsPort   the billing engine's PaymentsPort, on Stripe
 * The Stripe account
 *   runStripeSetup(db, client, { appUrl, dryRun })      `npm run stripe:setup`: catalog, portal configuration, webhook endpoint, tax status
 *   automaticTaxEnabled(db)                              STRIPE_AUTOMATIC_TAX, auto = the account's Stripe Tax status (read once, shared)
 */
export { handleStripeWebhook } from "./webhook-handler";
export { processStripeEvent, HANDLED_EVENT_TYPES, type EventOutcome } from "./events";
export { syncSubscription, type SyncResult } from "./subscription-sync";
export { startPlanCheckout, startPackCheckout, applyCheckoutSession, syncCheckoutReturn, type CheckoutOutcome } from "./checkout";
export { notifyOwners, alertOperators } from "./notices";
export { declineReason } from "./declines";
export { upsertInvoice } from "./invoices";
export { refundExtrasPurchase } from "./refunds";
export { runDunning, DEGRADED_AFTER_DAYS, UNPAID_AFTER_DAYS } from "./dunning";
export { startTrial, endExpiredTrials } from "./trials";
export { assertPurchasesAllowed, purchaseBlockReason, DEGRADED_MESSAGE, UNPAID_MESSAGE } from "./guards";
export { ensureStripeCustomer } from "./customers";
export { createStripePaymentsPort, registerStripePaymentsPort } from "./auto-top-up";
export { upgradeNow, scheduleDowngrade, cancelScheduledChange, setCancelAtPeriodEnd, openBillingPortal, isUpgrade, type UpgradeResult } from "./plan-changes";
export { previewUpgrades, type UpgradePreview } from "./upgrade-preview";
export { billedByStripe } from "./lookup";
export { resyncSubscriptions, retryFailedEvents, recoverMissedEvents, repairStripeCatalog } from "./reconcile";
export { runStripeSetup, webhookUrlFor, type StripeSetupReport } from "./stripe-setup";
export { automaticTaxEnabled, accountTaxStatus, recordTaxStatus, TAX_STATUS_TTL_MS } from "./automatic-tax";
export { moveSubscriptionPrice, cancelSubscriptionNow } from "./operator-changes";
