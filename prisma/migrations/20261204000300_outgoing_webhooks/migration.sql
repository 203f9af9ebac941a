-- CreateTable
CREATE TABLE "WebhookEndpoint" (
    "id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "eventTypes" TEXT[],
    "secret" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabledReason" TEXT,
    "disabledAt" TIMESTAMP(3),
    "createdById" TEXT,
    "createdByEmail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxEvent" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "workspaceExternalId" TEXT,
    "data" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboxEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "endpointId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "dueSince" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseUntil" TIMESTAMP(3),
    "lastResponseCode" INTEGER,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookAttempt" (
    "id" BIGSERIAL NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "attemptedAt" TIMESTAMP(3) NOT NULL,
    "responseCode" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,
    "nextAttemptAt" TIMESTAMP(3),

    CONSTRAINT "WebhookAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OutboxEvent_workspaceId_createdAt_idx" ON "OutboxEvent"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "OutboxEvent_createdAt_idx" ON "OutboxEvent"("createdAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_status_nextAttemptAt_idx" ON "WebhookDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_createdAt_idx" ON "WebhookDelivery"("endpointId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_eventId_endpointId_key" ON "WebhookDelivery"("eventId", "endpointId");

-- CreateIndex
CREATE INDEX "WebhookAttempt_deliveryId_attemptedAt_idx" ON "WebhookAttempt"("deliveryId", "attemptedAt");

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "OutboxEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "WebhookEndpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookAttempt" ADD CONSTRAINT "WebhookAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "WebhookDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;



-- outbox triggers (generated from lib/webhooks/outbox.sql and triggers.sql by lib/webhooks/sql.ts)
CREATE OR REPLACE FUNCTION tally_webhooks_wanted(types text[]) RETURNS boolean LANGUAGE sql STABLE AS U&'
  SELECT EXISTS (SELECT 1 FROM "WebhookEndpoint" WHERE enabled AND "eventTypes" && types)\003B
';

CREATE OR REPLACE FUNCTION tally_webhook_emit(ws text, etype text, payload jsonb) RETURNS void LANGUAGE plpgsql AS U&'
DECLARE
  eid text\003B
  ext text\003B
  at timestamp(3) := now() AT TIME ZONE ''UTC''\003B
BEGIN
  IF NOT tally_webhooks_wanted(ARRAY[etype]) THEN RETURN\003B END IF\003B
  eid := ''msg_'' || replace(gen_random_uuid()::text, ''-'', '''')\003B
  -- Workspace.externalId is read through to_jsonb so this works whether or not the column exists yet.
  SELECT to_jsonb(w) ->> ''externalId'' INTO ext FROM "Workspace" w WHERE w.id = ws\003B
  INSERT INTO "OutboxEvent" (id, type, "workspaceId", "workspaceExternalId", data, "createdAt") VALUES (eid, etype, ws, ext, payload, at)\003B
  INSERT INTO "WebhookDelivery" (id, "eventId", "endpointId", status, "nextAttemptAt", "dueSince", "createdAt", "updatedAt")
    SELECT ''whd_'' || replace(gen_random_uuid()::text, ''-'', ''''), eid, e.id, ''pending'', at, at, at, at
    FROM "WebhookEndpoint" e WHERE e.enabled AND etype = ANY(e."eventTypes")\003B
  PERFORM pg_notify(''tally_webhooks'', '''')\003B
END
';

CREATE OR REPLACE FUNCTION tally_plan_ref(plan_id text) RETURNS jsonb LANGUAGE sql STABLE AS U&'
  SELECT jsonb_build_object(''id'', p.id, ''key'', p.key, ''version'', p.version, ''name'', p.name) FROM "Plan" p WHERE p.id = plan_id\003B
';

CREATE OR REPLACE FUNCTION tally_webhooks_threshold() RETURNS trigger LANGUAGE plpgsql AS U&'
DECLARE
  w "UsageWindow"%ROWTYPE\003B
  bal numeric\003B
  payload jsonb\003B
BEGIN
  IF NOT tally_webhooks_wanted(ARRAY[''usage.threshold_crossed'', ''usage.limit_reached'']) THEN RETURN NULL\003B END IF\003B
  SELECT * INTO w FROM "UsageWindow" WHERE id = NEW."windowId"\003B
  payload := jsonb_build_object(''feature'', NEW.feature, ''threshold'', NEW.percent, ''windowId'', NEW."windowId",
    ''periodStart'', to_char(w."periodStart", ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"''), ''periodEnd'', to_char(w."periodEnd", ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"''),
    ''quota'', trim_scale(w.quota)::text, ''used'', trim_scale(w.used)::text, ''overflow'', w.overflow::text)\003B
  PERFORM tally_webhook_emit(NEW."workspaceId", ''usage.threshold_crossed'', payload)\003B
  IF NEW.percent >= 100 AND w.overflow::text <> ''soft'' THEN
    SELECT balance INTO bal FROM "ExtrasAccount" WHERE "workspaceId" = NEW."workspaceId"\003B
    IF w.overflow::text = ''block'' OR COALESCE(bal, 0) <= 0 THEN
      PERFORM tally_webhook_emit(NEW."workspaceId", ''usage.limit_reached'', payload - ''threshold'' || jsonb_build_object(''extrasBalance'', trim_scale(COALESCE(bal, 0))::text))\003B
    END IF\003B
  END IF\003B
  RETURN NULL\003B
END
';

CREATE OR REPLACE FUNCTION tally_webhooks_ledger() RETURNS trigger LANGUAGE plpgsql AS U&'
DECLARE
  before numeric := NEW."balanceAfter" - NEW.units\003B
  mark numeric\003B
  entry jsonb\003B
BEGIN
  IF NEW.kind::text = ''settlement'' OR NEW.units = 0 THEN RETURN NULL\003B END IF\003B
  IF NEW.units > 0 AND NEW.kind::text NOT IN (''topup'', ''grant'', ''adjustment'') THEN RETURN NULL\003B END IF\003B
  IF NOT tally_webhooks_wanted(ARRAY[''extras.credited'', ''extras.low'', ''extras.depleted'']) THEN RETURN NULL\003B END IF\003B
  entry := jsonb_build_object(''entryId'', NEW.id, ''lotId'', NEW."lotId", ''kind'', NEW.kind::text, ''units'', trim_scale(NEW.units)::text,
    ''balance'', trim_scale(NEW."balanceAfter")::text, ''cause'', jsonb_build_object(''type'', NEW."causeType", ''id'', NEW."causeId"))\003B
  IF NEW.units > 0 THEN
    PERFORM tally_webhook_emit(NEW."workspaceId", ''extras.credited'', entry)\003B
    RETURN NULL\003B
  END IF\003B
  IF before > 0 AND NEW."balanceAfter" <= 0 THEN
    PERFORM tally_webhook_emit(NEW."workspaceId", ''extras.depleted'', entry)\003B
    RETURN NULL\003B
  END IF\003B
  SELECT COALESCE(a."autoTopUpThreshold", l.units / 5) INTO mark
    FROM "ExtrasLot" l LEFT JOIN "ExtrasAccount" a ON a."workspaceId" = NEW."workspaceId" WHERE l.id = NEW."lotId"\003B
  IF mark IS NOT NULL AND before >= mark AND NEW."balanceAfter" < mark THEN
    PERFORM tally_webhook_emit(NEW."workspaceId", ''extras.low'', entry || jsonb_build_object(''lowMark'', trim_scale(mark)::text))\003B
  END IF\003B
  RETURN NULL\003B
END
';

CREATE OR REPLACE FUNCTION tally_webhooks_auto_top_up() RETURNS trigger LANGUAGE plpgsql AS U&'
BEGIN
  IF NEW.status NOT IN (''succeeded'', ''failed'') OR (TG_OP = ''UPDATE'' AND OLD.status = NEW.status) THEN RETURN NULL\003B END IF\003B
  PERFORM tally_webhook_emit(NEW."workspaceId", ''auto_top_up.'' || NEW.status,
    jsonb_build_object(''attemptId'', NEW.id, ''packId'', NEW."packId", ''slot'', NEW.slot, ''paymentIntentId'', NEW."paymentIntentId", ''error'', NEW.error))\003B
  RETURN NULL\003B
END
';

CREATE OR REPLACE FUNCTION tally_webhooks_subscription() RETURNS trigger LANGUAGE plpgsql AS U&'
DECLARE
  old_status text := CASE WHEN TG_OP = ''UPDATE'' THEN OLD.status::text END\003B
  new_status text := NEW.status::text\003B
  etype text\003B
  payload jsonb\003B
BEGIN
  IF TG_OP = ''UPDATE'' AND old_status = new_status AND OLD."stripeSubscriptionId" IS NOT DISTINCT FROM NEW."stripeSubscriptionId" THEN RETURN NULL\003B END IF\003B
  payload := jsonb_build_object(''subscriptionId'', NEW.id, ''status'', new_status, ''previousStatus'', old_status, ''plan'', tally_plan_ref(NEW."planId"),
    ''interval'', NEW.interval::text, ''stripeSubscriptionId'', NEW."stripeSubscriptionId",
    ''currentPeriodEnd'', to_char(NEW."currentPeriodEnd", ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"''), ''trialEndsAt'', to_char(NEW."trialEndsAt", ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"''),
    ''pastDueSince'', to_char(NEW."pastDueSince", ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"''))\003B
  IF (NEW."stripeSubscriptionId" IS NOT NULL AND (TG_OP = ''INSERT'' OR NEW."stripeSubscriptionId" IS DISTINCT FROM OLD."stripeSubscriptionId"))
     OR (new_status = ''trialing'' AND old_status IS DISTINCT FROM ''trialing'') THEN
    PERFORM tally_webhook_emit(NEW."workspaceId", ''subscription.created'', payload)\003B
  END IF\003B
  IF old_status IS NOT DISTINCT FROM new_status THEN RETURN NULL\003B END IF\003B
  etype := CASE
    WHEN new_status IN (''past_due'', ''degraded'', ''unpaid'') THEN ''billing.'' || new_status
    WHEN old_status IN (''past_due'', ''degraded'', ''unpaid'') THEN ''billing.recovered''
  END\003B
  IF etype IS NOT NULL THEN PERFORM tally_webhook_emit(NEW."workspaceId", etype, payload)\003B END IF\003B
  RETURN NULL\003B
END
';

CREATE OR REPLACE FUNCTION tally_webhooks_plan_change() RETURNS trigger LANGUAGE plpgsql AS U&'
DECLARE
  etype text := CASE NEW.reason WHEN ''trial'' THEN NULL WHEN ''checkout'' THEN NULL WHEN ''trial_ended'' THEN ''subscription.trial_ended''
    WHEN ''canceled'' THEN ''subscription.canceled'' ELSE ''subscription.plan_changed'' END\003B
BEGIN
  IF etype IS NULL THEN RETURN NULL\003B END IF\003B
  PERFORM tally_webhook_emit(NEW."workspaceId", etype, jsonb_build_object(''from'', tally_plan_ref(NEW."fromPlanId"), ''to'', tally_plan_ref(NEW."toPlanId"),
    ''fromStatus'', NEW."fromStatus", ''toStatus'', NEW."toStatus", ''reason'', NEW.reason))\003B
  RETURN NULL\003B
END
';

CREATE OR REPLACE FUNCTION tally_webhooks_notification() RETURNS trigger LANGUAGE plpgsql AS U&'
BEGIN
  IF NEW.kind <> ''trial_will_end'' THEN RETURN NULL\003B END IF\003B
  PERFORM tally_webhook_emit(NEW."workspaceId", ''subscription.trial_will_end'', (
    SELECT jsonb_build_object(''subscriptionId'', s.id, ''plan'', tally_plan_ref(s."planId"), ''trialEndsAt'', to_char(s."trialEndsAt", ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"''))
    FROM "Subscription" s WHERE s."workspaceId" = NEW."workspaceId"))\003B
  RETURN NULL\003B
END
';

CREATE OR REPLACE FUNCTION tally_webhooks_invoice() RETURNS trigger LANGUAGE plpgsql AS U&'
DECLARE
  payload jsonb := jsonb_build_object(''invoiceId'', NEW."stripeInvoiceId", ''number'', NEW.number, ''status'', NEW.status, ''currency'', NEW.currency,
    ''amountDueCents'', NEW."amountDueCents", ''amountPaidCents'', NEW."amountPaidCents", ''hostedUrl'', NEW."hostedUrl", ''billingReason'', NEW."billingReason",
    ''paymentError'', NEW."paymentError")\003B
BEGIN
  IF NEW.status = ''paid'' AND (TG_OP = ''INSERT'' OR OLD.status IS DISTINCT FROM ''paid'') THEN
    PERFORM tally_webhook_emit(NEW."workspaceId", ''invoice.paid'', payload)\003B
  END IF\003B
  IF NEW."paymentIssue" = ''declined'' AND (TG_OP = ''INSERT'' OR OLD."paymentIssue" IS DISTINCT FROM ''declined''
      OR OLD."paymentError" IS DISTINCT FROM NEW."paymentError") THEN
    PERFORM tally_webhook_emit(NEW."workspaceId", ''invoice.payment_failed'', payload)\003B
  END IF\003B
  RETURN NULL\003B
END
';

CREATE TRIGGER "ThresholdMark_webhooks" AFTER INSERT ON "ThresholdMark" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_threshold();
CREATE TRIGGER "LedgerEntry_webhooks" AFTER INSERT ON "LedgerEntry" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_ledger();
CREATE TRIGGER "AutoTopUpAttempt_webhooks" AFTER INSERT OR UPDATE OF status ON "AutoTopUpAttempt" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_auto_top_up();
CREATE TRIGGER "Subscription_webhooks" AFTER INSERT OR UPDATE OF status, "stripeSubscriptionId" ON "Subscription" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_subscription();
CREATE TRIGGER "PlanChange_webhooks" AFTER INSERT ON "PlanChange" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_plan_change();
CREATE TRIGGER "Notification_webhooks" AFTER INSERT ON "Notification" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_notification();
CREATE TRIGGER "Invoice_webhooks" AFTER INSERT OR UPDATE ON "Invoice" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_invoice();
