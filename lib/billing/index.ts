/**
 * Tally's billing engine: metering, quotas, plans' windows and the extras ledger. No framework imports;
 * every function takes the database client (or an open transaction, to fold its writes into the caller's).
 *
 * Decimals (units, balances) are exact decimal STRINGS in every answer ("12.5", "0", "-40"), never floats:
 * the HTTP layer writes those digits as JSON number literals as they are (lib/api/json.ts), never through
 * Number(), which would round 123456789012.123456 (more digits than a double holds). Inputs accept a JSON
 * number or a decimal string.
 * Errors are AppError: invalid_request and invalid_timestamp (400), not_found (404), quota_exhausted (402, details carry the
 * answer fields), idempotency_conflict (409), billing_unavailable (503).
 *
 * Metering (the metering API and in-app features)
 *   recordUsage(db, { workspaceId, feature, units | costs, idempotencyKey, metadata?, timestamp?, now? }, opts?) -> UsageAnswer
 *     timestamp backdates the event (at most 24 h, never ahead of now but 5 s of skew; else invalid_timestamp, 400):
 *     it counts in the window that holds it (opened if need be) and is decided against that window's quota.
 *     workspaceId may be a WorkspaceScope, e.g. the request's API key: the first statement
 *     then resolves it (or refuses) in the same round trip as the work; checkUsage takes one too.
 *     units: positive, <= 2^53 - 1, <= 6 decimals. costs: { action?, dollars?, tokens?: [{ provider, model, input, output }] }
 *     priced with the plan version's ratios (see costs.ts). metadata: a JSON object up to 4 KB.
 *     Replaying a key returns the first answer unchanged; the key with another payload is idempotency_conflict.
 *   recordUsageBatch(db, { workspaceId, events: [{ feature, units | costs, idempotencyKey, metadata?, timestamp? }], now? }, opts?) -> BatchOutcome[]
 *     each event answered (and written) exactly as recordUsage one by one in order would; the events that fit go together
 *   checkUsage(db, { workspaceId, feature, units? | costs?, now? }) -> UsageAnswer   (nothing written; allowed may be false)
 *   claimGauge / releaseGauge(db, { workspaceId, feature, units = 1, idempotencyKey, now? }) -> UsageAnswer   (seats, projects)
 *   limitations(db, workspaceId, now?) -> Limitations   (plan, status, every entitlement with used/limit/remaining/resetsAt, extras)
 *   meteredAction(db, { workspaceId, feature, units, idempotencyKey, metadata? }, action) -> { result, usage }   (fails closed)
 *   UsageAnswer = { allowed, feature, units, remaining (null = unlimited), extrasRemaining, resetsAt (ISO or null) }
 *
 * Plans and windows (the payments code, after it stored Stripe's state)
 *   resetWindowsForPeriod(db, { workspaceId, periodStart, periodEnd? })   a new current_period_start
 *   onPlanChanged(db, { workspaceId, lowerQuotas? })                       an upgrade raises the current windows' quotas now
 *   publishPlan / currentPlanVersion / seedCatalog                         versioned catalog (plans.ts)
 *   overridesInForce(db, workspaceId, at)                                  operators' per-workspace limits (overrides.ts): windows
 *                                                                          open with (and are raised to) them, the recording never reads them
 *   applyLifetimeLimit / settleEndedOverrides(db, { now? })                lifetime windows (seats, projects) follow an override's start and end
 *
 * Extras ledger (the payments code and the cron)
 *   topupExtras(db, { workspaceId, pack, checkoutSessionId | paymentIntentId, amountCents?, currency?, units?, expiresAt? })   once per session / intent
 *   grantExtras(db, { workspaceId, invoiceId, units?, expiresAt? })       the plan's grant, once per invoice
 *   clawbackRefund(db, { paymentIntentId, refundId, amountCents })       once per Stripe refund, in proportion; may leave debt
 *   giveBackRefund(db, { paymentIntentId, refundId, amountCents })       once per failed/canceled refund: the clawed units back
 *   applyRefundStatus(db, { paymentIntentId, refundId, amountCents, status })   clawback (pending, requires_action,
 *                                                                         succeeded) or give-back (failed, canceled)
 *   freezeDisputedUnits(db, { paymentIntentId, disputeId, amountCents })  once per dispute, in proportion; may leave debt
 *   releaseDisputedUnits / closeLostDispute(db, { paymentIntentId, disputeId })   a won dispute gives the frozen units back, a lost one keeps them out
 *   expireLots(db, { now?, limit?, workspaceId?, cronRunId? })            one expiration entry per lot (its positive remainder), batched
 *   adjustExtras(db, { workspaceId, units (signed), idempotencyKey, memo, expiresAt? })   operator correction
 *   extrasBalance(db, workspaceId) -> { balance, usable }
 *   Debt netting: debt (a lot left negative by a clawback) is paid at once from the spendable lots, then by
 *   the next topup, grant, credit adjustment or give-back before its units can be spent: `settlement`
 *   entries under that write's cause, minus on paying lots and plus on indebted lots, summing to zero.
 *   So balance = sum of entries = sum of lot remainders, and no lot is negative while another can spend.
 *   configureAutoTopUp(db, { workspaceId, enabled, threshold, pack, monthlyCap })
 *   registerPaymentsPort(port) / PaymentsPort                             the payments code buys auto top-ups through it
 *   maybeAutoTopUp(db, { workspaceId }) / completeAutoTopUp(db, { attemptId | paymentIntentId, status })
 *   sweepAutoTopUps(db, { port?, now?, deadline? })                       the reconcile cron: resume stale attempts, start missed ones
 *
 * Operations
 *   checkInvariants(db, { workspaceId? }) -> Violation[]                  empty = the books hold; each with its severity
 *   recordInvariantRun(db, { workspaceId?, now? })                         checks, logs and stores (InvariantViolation)
 *   deliverPendingNotifications(db, { limit?, notifier? })                 threshold emails the request path left pending
 *
 * The quota is decided by one rule, decideQuota (quota-rule.ts); the hot path is the database function
 * tally_record_usage (record-usage.sql, applied by db:deploy), which decides its common case alike. What makes it
 * fast under load (pooled prepared statements, shared round trips, key-checking statements) is fenced in throughput/.
 */
export type { Client } from "@/lib/db";
export { resolveWorkspace, isResolved, type WorkspaceScope, type WorkspaceRef } from "./throughput";
export type { UsageAnswer } from "./usage-state";
export type { RecordUsageInput } from "./validation";
export type { CostsInput } from "./costs";
export type { Limitations, EntitlementUsage } from "./limitations";
export type { Violation, InvariantCheck, InvariantSeverity } from "./invariants";
export type { InvariantRunSummary } from "./invariant-runs";
export type { LedgerEntryOut } from "./extras-ledger";
export type { LotResult } from "./extras-credits";

export { recordUsage, type MeteringOptions } from "./record-usage";
export { recordUsageBatch, type BatchEventInput, type BatchOutcome } from "./record-usage-batch";
export { checkUsage, type CheckUsageInput } from "./check-usage";
export { claimGauge, releaseGauge, type GaugeInput } from "./gauges";
export { limitations } from "./limitations";
export { meteredAction, type MeteredActionInput } from "./metered-action";

export { resetWindowsForPeriod } from "./windows";
export { onPlanChanged } from "./plan-windows";
export { publishPlan, currentPlanVersion, seedCatalog } from "./plans";
export { overridesInForce, type OverrideInForce } from "./overrides";
export { applyLifetimeLimit, settleEndedOverrides } from "./override-windows";

export { topupExtras, grantExtras, adjustExtras, extrasBalance } from "./extras-credits";
export { clawbackRefund, giveBackRefund, applyRefundStatus, CLAWBACK_STATUSES, GIVE_BACK_STATUSES } from "./refunds";
export { freezeDisputedUnits, releaseDisputedUnits, closeLostDispute } from "./disputes";
export { expireLots } from "./extras-expire";
export {
  registerPaymentsPort,
  maybeAutoTopUp,
  sweepAutoTopUps,
  completeAutoTopUp,
  configureAutoTopUp,
  type PaymentsPort,
  type AutoTopUpResult,
} from "./auto-top-up";

export { checkInvariants, INVARIANT_SEVERITY } from "./invariants";
export { recordInvariantRun } from "./invariant-runs";
export { deliverNotifications, deliverPendingNotifications, emailNotifier, type Notifier, type OutgoingMessage } from "./notify";
export { costsToUnits, type Costs, type Ratios } from "./costs";
