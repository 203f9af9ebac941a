-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('OWNER', 'ADMIN', 'MEMBER');

-- CreateEnum
CREATE TYPE "EntitlementPeriod" AS ENUM ('day', 'week', 'month', 'billing_period', 'lifetime');

-- CreateEnum
CREATE TYPE "Overflow" AS ENUM ('block', 'extras', 'soft');

-- CreateEnum
CREATE TYPE "EntitlementKind" AS ENUM ('meter', 'gauge');

-- CreateEnum
CREATE TYPE "SubscriptionStatus" AS ENUM ('free', 'trialing', 'active', 'past_due', 'degraded', 'unpaid', 'canceled');

-- CreateEnum
CREATE TYPE "BillingInterval" AS ENUM ('month', 'year');

-- CreateEnum
CREATE TYPE "NotificationStatus" AS ENUM ('pending', 'sending', 'sent', 'failed');

-- CreateEnum
CREATE TYPE "LotSource" AS ENUM ('topup', 'grant', 'adjustment');

-- CreateEnum
CREATE TYPE "LedgerKind" AS ENUM ('topup', 'grant', 'debit', 'refund', 'expiration', 'adjustment');

-- CreateEnum
CREATE TYPE "WebhookStatus" AS ENUM ('received', 'processed', 'failed');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "passwordHash" TEXT,
    "image" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Account" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "refresh_token" TEXT,
    "access_token" TEXT,
    "expires_at" INTEGER,
    "token_type" TEXT,
    "scope" TEXT,
    "id_token" TEXT,
    "session_state" TEXT,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Workspace" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "stripeCustomerId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Workspace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Plan" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "currency" TEXT NOT NULL DEFAULT 'usd',
    "monthlyPriceCents" INTEGER NOT NULL,
    "annualPriceCents" INTEGER NOT NULL,
    "monthlyLookupKey" TEXT,
    "annualLookupKey" TEXT,
    "stripeMonthlyPriceId" TEXT,
    "stripeAnnualPriceId" TEXT,
    "trialDays" INTEGER NOT NULL DEFAULT 0,
    "sortOrder" INTEGER NOT NULL DEFAULT 0,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "effectiveFrom" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "effectiveUntil" TIMESTAMP(3),
    "runBaseUnits" DECIMAL(38,6) NOT NULL DEFAULT 0,
    "dollarsToUnits" DECIMAL(38,6) NOT NULL DEFAULT 0,
    "maxUnitsPerRun" DECIMAL(38,6),
    "actionWeights" JSONB NOT NULL DEFAULT '{}',
    "grantUnits" DECIMAL(38,6) NOT NULL DEFAULT 0,
    "grantExpiresDays" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Plan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Entitlement" (
    "id" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "kind" "EntitlementKind" NOT NULL DEFAULT 'meter',
    "limit" DECIMAL(38,6),
    "period" "EntitlementPeriod" NOT NULL,
    "overflow" "Overflow" NOT NULL DEFAULT 'block',

    CONSTRAINT "Entitlement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelPrice" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "inputDollarsPerMillion" DECIMAL(38,6) NOT NULL,
    "outputDollarsPerMillion" DECIMAL(38,6) NOT NULL,

    CONSTRAINT "ModelPrice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Subscription" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "status" "SubscriptionStatus" NOT NULL,
    "interval" "BillingInterval" NOT NULL DEFAULT 'month',
    "stripeSubscriptionId" TEXT,
    "stripeStatus" TEXT,
    "periodAnchor" TIMESTAMP(3),
    "currentPeriodStart" TIMESTAMP(3),
    "currentPeriodEnd" TIMESTAMP(3),
    "trialEndsAt" TIMESTAMP(3),
    "cancelAtPeriodEnd" BOOLEAN NOT NULL DEFAULT false,
    "pendingPlanId" TEXT,
    "pendingInterval" "BillingInterval",
    "pendingChangeAt" TIMESTAMP(3),
    "stripeScheduleId" TEXT,
    "pastDueSince" TIMESTAMP(3),
    "stripeSyncedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Subscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Invoice" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "stripeInvoiceId" TEXT NOT NULL,
    "number" TEXT,
    "status" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "amountDueCents" INTEGER NOT NULL,
    "amountPaidCents" INTEGER NOT NULL,
    "hostedUrl" TEXT,
    "periodStart" TIMESTAMP(3),
    "periodEnd" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "paidAt" TIMESTAMP(3),

    CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsageWindow" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "kind" "EntitlementKind" NOT NULL DEFAULT 'meter',
    "period" "EntitlementPeriod" NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "quota" DECIMAL(38,6),
    "used" DECIMAL(38,6) NOT NULL DEFAULT 0,
    "overflow" "Overflow" NOT NULL,
    "planId" TEXT NOT NULL,
    "closedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageWindow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsageEvent" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "windowId" TEXT NOT NULL,
    "units" DECIMAL(38,6) NOT NULL,
    "quotaUnits" DECIMAL(38,6) NOT NULL,
    "extrasUnits" DECIMAL(38,6) NOT NULL DEFAULT 0,
    "idempotencyKey" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "response" JSONB NOT NULL,
    "metadata" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ThresholdMark" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "windowId" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "percent" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ThresholdMark_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "status" "NotificationStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimedAt" TIMESTAMP(3),
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExtrasPack" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "units" DECIMAL(38,6) NOT NULL,
    "priceCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'usd',
    "expiresAfterDays" INTEGER NOT NULL DEFAULT 365,
    "stripePriceId" TEXT,
    "lookupKey" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "sortOrder" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ExtrasPack_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExtrasAccount" (
    "workspaceId" TEXT NOT NULL,
    "balance" DECIMAL(38,6) NOT NULL DEFAULT 0,
    "lastSeq" INTEGER NOT NULL DEFAULT 0,
    "autoTopUpEnabled" BOOLEAN NOT NULL DEFAULT false,
    "autoTopUpThreshold" DECIMAL(38,6),
    "autoTopUpPackId" TEXT,
    "autoTopUpMonthlyCap" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExtrasAccount_pkey" PRIMARY KEY ("workspaceId")
);

-- CreateTable
CREATE TABLE "ExtrasLot" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "source" "LotSource" NOT NULL,
    "sourceRef" TEXT NOT NULL,
    "packId" TEXT,
    "units" DECIMAL(38,6) NOT NULL,
    "remaining" DECIMAL(38,6) NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "expiredAt" TIMESTAMP(3),
    "checkoutSessionId" TEXT,
    "paymentIntentId" TEXT,
    "amountCents" INTEGER,
    "refundedCents" INTEGER NOT NULL DEFAULT 0,
    "currency" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExtrasLot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerEntry" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "lotId" TEXT NOT NULL,
    "kind" "LedgerKind" NOT NULL,
    "units" DECIMAL(38,6) NOT NULL,
    "balanceAfter" DECIMAL(38,6) NOT NULL,
    "causeType" TEXT NOT NULL,
    "causeId" TEXT NOT NULL,
    "memo" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LedgerEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AutoTopUpAttempt" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "slot" TEXT NOT NULL,
    "packId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'started',
    "paymentIntentId" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AutoTopUpAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuthFailure" (
    "clientKey" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "AuthFailure_pkey" PRIMARY KEY ("clientKey","windowStart")
);

-- CreateTable
CREATE TABLE "StripeEvent" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "status" "WebhookStatus" NOT NULL DEFAULT 'received',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "payload" JSONB NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "StripeEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CronRun" (
    "id" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "summary" JSONB,

    CONSTRAINT "CronRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Account_provider_providerAccountId_key" ON "Account"("provider", "providerAccountId");

-- CreateIndex
CREATE UNIQUE INDEX "Workspace_slug_key" ON "Workspace"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Workspace_stripeCustomerId_key" ON "Workspace"("stripeCustomerId");

-- CreateIndex
CREATE INDEX "Membership_userId_idx" ON "Membership"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_workspaceId_userId_key" ON "Membership"("workspaceId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "Plan_key_version_key" ON "Plan"("key", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Entitlement_planId_feature_key" ON "Entitlement"("planId", "feature");

-- CreateIndex
CREATE UNIQUE INDEX "ModelPrice_provider_model_key" ON "ModelPrice"("provider", "model");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_workspaceId_key" ON "Subscription"("workspaceId");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_stripeSubscriptionId_key" ON "Subscription"("stripeSubscriptionId");

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_stripeInvoiceId_key" ON "Invoice"("stripeInvoiceId");

-- CreateIndex
CREATE INDEX "Invoice_workspaceId_createdAt_idx" ON "Invoice"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "UsageWindow_workspaceId_feature_periodEnd_idx" ON "UsageWindow"("workspaceId", "feature", "periodEnd");

-- CreateIndex
CREATE UNIQUE INDEX "UsageWindow_workspaceId_feature_periodStart_key" ON "UsageWindow"("workspaceId", "feature", "periodStart");

-- CreateIndex
CREATE INDEX "UsageEvent_workspaceId_windowId_idx" ON "UsageEvent"("workspaceId", "windowId");

-- CreateIndex
CREATE INDEX "UsageEvent_workspaceId_createdAt_idx" ON "UsageEvent"("workspaceId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "UsageEvent_workspaceId_idempotencyKey_key" ON "UsageEvent"("workspaceId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "ThresholdMark_workspaceId_windowId_percent_key" ON "ThresholdMark"("workspaceId", "windowId", "percent");

-- CreateIndex
CREATE INDEX "Notification_workspaceId_createdAt_idx" ON "Notification"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Notification_status_createdAt_idx" ON "Notification"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_workspaceId_dedupeKey_key" ON "Notification"("workspaceId", "dedupeKey");

-- CreateIndex
CREATE UNIQUE INDEX "ExtrasPack_key_key" ON "ExtrasPack"("key");

-- CreateIndex
CREATE UNIQUE INDEX "ExtrasLot_checkoutSessionId_key" ON "ExtrasLot"("checkoutSessionId");

-- CreateIndex
CREATE UNIQUE INDEX "ExtrasLot_paymentIntentId_key" ON "ExtrasLot"("paymentIntentId");

-- CreateIndex
CREATE INDEX "ExtrasLot_workspaceId_expiresAt_idx" ON "ExtrasLot"("workspaceId", "expiresAt");

-- CreateIndex
CREATE INDEX "ExtrasLot_expiresAt_idx" ON "ExtrasLot"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "ExtrasLot_workspaceId_source_sourceRef_key" ON "ExtrasLot"("workspaceId", "source", "sourceRef");

-- CreateIndex
CREATE INDEX "LedgerEntry_workspaceId_createdAt_id_idx" ON "LedgerEntry"("workspaceId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "LedgerEntry_workspaceId_kind_createdAt_idx" ON "LedgerEntry"("workspaceId", "kind", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerEntry_workspaceId_kind_causeType_causeId_lotId_key" ON "LedgerEntry"("workspaceId", "kind", "causeType", "causeId", "lotId");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerEntry_workspaceId_seq_key" ON "LedgerEntry"("workspaceId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "AutoTopUpAttempt_workspaceId_slot_key" ON "AutoTopUpAttempt"("workspaceId", "slot");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "ApiKey_workspaceId_idx" ON "ApiKey"("workspaceId");

-- CreateIndex
CREATE INDEX "StripeEvent_status_receivedAt_idx" ON "StripeEvent"("status", "receivedAt");

-- CreateIndex
CREATE INDEX "CronRun_route_startedAt_idx" ON "CronRun"("route", "startedAt");

-- AddForeignKey
ALTER TABLE "Account" ADD CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Entitlement" ADD CONSTRAINT "Entitlement_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_pendingPlanId_fkey" FOREIGN KEY ("pendingPlanId") REFERENCES "Plan"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExtrasAccount" ADD CONSTRAINT "ExtrasAccount_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- billing functions (generated from lib/billing/*.sql by lib/billing/sql-functions.ts)
CREATE OR REPLACE FUNCTION tally_record_usage(
  p_workspace_id text, p_feature text, p_kind "EntitlementKind", p_delta numeric, p_units text,
  p_key text, p_hash text, p_metadata jsonb, p_now timestamp(3), p_event_id text,
  p_thresholds int[], p_lifetime_end timestamp(3)
) RETURNS TABLE (
  response jsonb, notification_ids text[],
  window_id text, window_kind text, window_quota text, window_used text, window_overflow text, window_end timestamp(3),
  balance text, spendable text, existing_hash text, existing_response jsonb
)
LANGUAGE plpgsql AS U&'
#variable_conflict use_column
DECLARE
  v_response jsonb\003B
  v_ids text[]\003B
BEGIN
  WITH w AS (
    UPDATE "UsageWindow" AS uw SET used = uw.used + p_delta
    WHERE uw."workspaceId" = p_workspace_id AND uw.feature = p_feature AND uw.kind = p_kind
      AND uw."periodStart" <= p_now AND uw."periodEnd" > p_now
      AND CASE WHEN p_delta > 0 THEN (uw.quota IS NULL OR uw.overflow = ''soft'' OR uw.used + p_delta <= uw.quota)
               ELSE uw.used + p_delta >= 0 END
      AND NOT EXISTS (SELECT 1 FROM "UsageEvent" e WHERE e."workspaceId" = p_workspace_id AND e."idempotencyKey" = p_key)
    RETURNING uw.id, uw.quota, uw.used, uw."periodEnd"
  ), ev AS (
    INSERT INTO "UsageEvent" AS e (id, "workspaceId", feature, "windowId", units, "quotaUnits", "extrasUnits", "idempotencyKey", "requestHash", response, metadata, "createdAt")
    SELECT p_event_id, p_workspace_id, p_feature, w.id, p_delta, p_delta, 0, p_key, p_hash,
      jsonb_build_object(
        ''allowed'', true,
        ''feature'', p_feature,
        ''units'', p_units,
        ''remaining'', CASE WHEN w.quota IS NULL THEN NULL ELSE trim_scale(GREATEST(w.quota - w.used, 0))::text END,
        ''extrasRemaining'', COALESCE((SELECT trim_scale(a.balance)::text FROM "ExtrasAccount" a WHERE a."workspaceId" = p_workspace_id), ''0''),
        ''resetsAt'', CASE WHEN w."periodEnd" >= p_lifetime_end THEN NULL ELSE to_char(w."periodEnd", ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'') END),
      p_metadata, p_now
    FROM w
    RETURNING e.response
  ), m AS (
    INSERT INTO "ThresholdMark" AS t (id, "workspaceId", "windowId", feature, percent, "createdAt")
    SELECT gen_random_uuid()::text, p_workspace_id, w.id, p_feature, p.pct, p_now
    FROM w CROSS JOIN unnest(p_thresholds) AS p(pct)
    WHERE p_kind = ''meter'' AND w.quota > 0 AND (w.used - p_delta) * 100 < w.quota * p.pct AND w.used * 100 >= w.quota * p.pct
    ON CONFLICT DO NOTHING
    RETURNING t."windowId", t.percent
  ), n AS (
    -- Same wording as thresholdSubject and thresholdBody in lib/billing/thresholds.ts (a test holds them equal).
    INSERT INTO "Notification" AS x (id, "workspaceId", kind, subject, body, "dedupeKey", status, "createdAt")
    SELECT gen_random_uuid()::text, p_workspace_id, ''threshold'',
      format(''%s usage reached %s%% of its quota'', p_feature, m.percent),
      format(''Your workspace has used %s%% of its %s quota for the current window. '', m.percent, p_feature)
        || CASE WHEN w."periodEnd" >= p_lifetime_end THEN ''This quota does not reset.''
                ELSE ''The quota resets at '' || to_char(w."periodEnd", ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'') || ''.'' END,
      ''threshold:'' || m."windowId" || '':'' || m.percent, ''pending'', p_now
    FROM m CROSS JOIN w
    ON CONFLICT DO NOTHING
    RETURNING x.id
  )
  SELECT (SELECT ev.response FROM ev), ARRAY(SELECT n.id FROM n) INTO v_response, v_ids\003B

  IF v_response IS NOT NULL THEN
    RETURN QUERY SELECT v_response, v_ids, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
      NULL::timestamp(3), NULL::text, NULL::text, NULL::text, NULL::jsonb\003B
    RETURN\003B
  END IF\003B

  RETURN QUERY
  SELECT NULL::jsonb, ''{}''::text[], w.id, w.kind::text, w.quota::text, w.used::text, w.overflow::text, w."periodEnd",
    (SELECT a.balance::text FROM "ExtrasAccount" a WHERE a."workspaceId" = p_workspace_id),
    (SELECT COALESCE(sum(l.remaining), 0)::text FROM "ExtrasLot" l
      WHERE l."workspaceId" = p_workspace_id AND l.remaining > 0 AND l."expiredAt" IS NULL
        AND (l."expiresAt" IS NULL OR l."expiresAt" > p_now)),
    e."requestHash", e.response
  FROM (SELECT 1) AS one
  LEFT JOIN "UsageWindow" w ON w."workspaceId" = p_workspace_id AND w.feature = p_feature
    AND w."periodStart" <= p_now AND w."periodEnd" > p_now
  LEFT JOIN "UsageEvent" e ON e."workspaceId" = p_workspace_id AND e."idempotencyKey" = p_key\003B
END
';
