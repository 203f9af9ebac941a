-- CreateTable
CREATE TABLE "EntitlementOverride" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "limit" DECIMAL(38,6),
    "startsAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "memo" TEXT NOT NULL,
    "createdById" TEXT,
    "createdByEmail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),
    "settledAt" TIMESTAMP(3),

    CONSTRAINT "EntitlementOverride_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PlanMigration" (
    "id" TEXT NOT NULL,
    "fromPlanId" TEXT NOT NULL,
    "toPlanId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "cursor" TEXT,
    "total" INTEGER NOT NULL DEFAULT 0,
    "moved" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "createdById" TEXT,
    "createdByEmail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "PlanMigration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PlanMigrationItem" (
    "migrationId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "expected" JSONB NOT NULL,
    "actual" JSONB,
    "error" TEXT,
    "handledAt" TIMESTAMP(3),

    CONSTRAINT "PlanMigrationItem_pkey" PRIMARY KEY ("migrationId","workspaceId")
);

-- CreateIndex
CREATE INDEX "EntitlementOverride_workspaceId_feature_endsAt_idx" ON "EntitlementOverride"("workspaceId", "feature", "endsAt");

-- CreateIndex
CREATE INDEX "EntitlementOverride_settledAt_endsAt_idx" ON "EntitlementOverride"("settledAt", "endsAt");

-- CreateIndex
CREATE INDEX "PlanMigration_fromPlanId_createdAt_idx" ON "PlanMigration"("fromPlanId", "createdAt");

-- CreateIndex
CREATE INDEX "PlanMigrationItem_migrationId_status_workspaceId_idx" ON "PlanMigrationItem"("migrationId", "status", "workspaceId");

-- CreateIndex
CREATE INDEX "Subscription_planId_workspaceId_idx" ON "Subscription"("planId", "workspaceId");

-- AddForeignKey
ALTER TABLE "PlanMigrationItem" ADD CONSTRAINT "PlanMigrationItem_migrationId_fkey" FOREIGN KEY ("migrationId") REFERENCES "PlanMigration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A plan version is immutable once a subscription uses it (as its plan or its scheduled plan): its prices,
-- trial, ratios, grant and entitlements cannot change, whichever code path tries. Editing a plan publishes
-- the next version instead. Its availability (active, effectiveUntil) and Stripe ids may still change.
-- The body is a Unicode-escaped string (each semicolon written \003B) because Prisma's migration runner
-- splits a script at every semicolon.
CREATE OR REPLACE FUNCTION tally_plan_version_immutable() RETURNS trigger LANGUAGE plpgsql AS U&'
DECLARE
  plan_ids text[]\003B
BEGIN
  IF TG_TABLE_NAME = ''Plan'' THEN
    -- What the catalog sync and publishing may still change: availability and Stripe''s ids.
    IF (NEW.key, NEW.version, NEW.name, NEW.description, NEW.currency, NEW."monthlyPriceCents", NEW."annualPriceCents",
        NEW."trialDays", NEW."sortOrder", NEW."runBaseUnits", NEW."dollarsToUnits", NEW."maxUnitsPerRun", NEW."actionWeights",
        NEW."grantUnits", NEW."grantExpiresDays")
       IS NOT DISTINCT FROM
       (OLD.key, OLD.version, OLD.name, OLD.description, OLD.currency, OLD."monthlyPriceCents", OLD."annualPriceCents",
        OLD."trialDays", OLD."sortOrder", OLD."runBaseUnits", OLD."dollarsToUnits", OLD."maxUnitsPerRun", OLD."actionWeights",
        OLD."grantUnits", OLD."grantExpiresDays") THEN
      RETURN NEW\003B
    END IF\003B
    plan_ids := ARRAY[OLD.id]\003B
  ELSIF TG_OP = ''INSERT'' THEN
    plan_ids := ARRAY[NEW."planId"]\003B
  ELSIF TG_OP = ''DELETE'' THEN
    plan_ids := ARRAY[OLD."planId"]\003B
  ELSE
    plan_ids := ARRAY[OLD."planId", NEW."planId"]\003B
  END IF\003B
  IF EXISTS (SELECT 1 FROM "Subscription" s WHERE s."planId" = ANY(plan_ids) OR s."pendingPlanId" = ANY(plan_ids)) THEN
    RAISE EXCEPTION ''plan version % is used by a subscription and cannot change: publish a new version instead'', plan_ids[1]
      USING ERRCODE = ''check_violation''\003B
  END IF\003B
  RETURN CASE WHEN TG_OP = ''DELETE'' THEN OLD ELSE NEW END\003B
END
';

CREATE TRIGGER "Plan_version_immutable" BEFORE UPDATE ON "Plan"
  FOR EACH ROW EXECUTE FUNCTION tally_plan_version_immutable();

CREATE TRIGGER "Entitlement_version_immutable" BEFORE INSERT OR UPDATE OR DELETE ON "Entitlement"
  FOR EACH ROW EXECUTE FUNCTION tally_plan_version_immutable();
