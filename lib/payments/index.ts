/**
 * Payments: applies Stripe's state to the database, calling the billing engine for every ledger and
 * window effect. No framework imports; Stripe is reached only through lib/stripe.
 *
 * Webhook and sync
 *   handleStripeWebhook(req) -> Response                 POST /api/webhooks/stripe (verify, store, apply once)
 *   processStripeEvent(db, event)                        the event store: at most once, effects in one transaction
 *   syncSubscription(db, { subscriptionId, workspaceId? }) convergent: reads Stripe, then applies under the workspace's row lock
 *   applyCheckoutSession / syncCheckoutReturn            checkout completion (webhook and success page race safely)
 *   applyInvoiceEvent, applyChargeRefunded, applyRefundUpdated   invoice list, plan grants per paid invoice, refund clawbacks and give-backs
 * Owner actions
 *   startPlanCheckout, startPackCheckout, startTrial, upgradeNow, scheduleDowngrade, cancelScheduledChange,
 *   setCancelAtPeriodEnd, openBillingPortal, refundExtrasPurchase, assertPurchasesAllowed
 * Jobs (cron)
 *   runDunning, endExpiredTrials, resyncSubscriptions, retryFailedEvents, recoverMissedEvents
 * Auto top-up
 *   createStripePaymentsPort / registerStripePaymentsPort   the billing engine's PaymentsPort, on Stripe
 */
export { handleStripeWebhook } from "./webhook-handler";
export { processStripeEvent, HANDLED_EVENT_TYPES, type EventOutcome } from "./events";
export { syncSubscription, type SyncResult } from "./subscription-sync";
export { startPlanCheckout, startPackCheckout, applyCheckoutSession, syncCheckoutReturn, type CheckoutOutcome } from "./checkout";
export { applyInvoiceEvent, upsertInvoice } from "./invoices";
export { refundExtrasPurchase, applyChargeRefunded, applyRefundUpdated, applyPaymentRefunds } from "./refunds";
export { runDunning, DEGRADED_AFTER_DAYS, UNPAID_AFTER_DAYS } from "./dunning";
export { startTrial, endExpiredTrials } from "./trials";
export { assertPurchasesAllowed, purchaseBlockReason, DEGRADED_MESSAGE, UNPAID_MESSAGE } from "./guards";
export { ensureStripeCustomer } from "./customers";
export { createStripePaymentsPort, registerStripePaymentsPort } from "./auto-top-up";
export { upgradeNow, scheduleDowngrade, cancelScheduledChange, setCancelAtPeriodEnd, openBillingPortal, isUpgrade } from "./plan-changes";
export { resyncSubscriptions, retryFailedEvents, recoverMissedEvents } from "./reconcile";
