-- CreateEnum
CREATE TYPE "InvariantSeverity" AS ENUM ('critical', 'warning');

-- AlterTable
ALTER TABLE "UsageWindow" ADD COLUMN     "usedAtQuotaChange" DECIMAL(38,6);

-- CreateTable
CREATE TABLE "InvariantViolation" (
    "id" TEXT NOT NULL,
    "check" TEXT NOT NULL,
    "severity" "InvariantSeverity" NOT NULL,
    "workspaceId" TEXT,
    "subjectId" TEXT NOT NULL,
    "expected" TEXT NOT NULL,
    "actual" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "InvariantViolation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InvariantViolation_resolvedAt_severity_idx" ON "InvariantViolation"("resolvedAt", "severity");

-- CreateIndex
CREATE INDEX "InvariantViolation_workspaceId_idx" ON "InvariantViolation"("workspaceId");

-- CreateIndex
CREATE UNIQUE INDEX "InvariantViolation_check_subjectId_key" ON "InvariantViolation"("check", "subjectId");


-- UsageWindow."usedAtQuotaChange": the units a window holds that were not admitted against its current
-- quota, kept by the two triggers below. The invariant checker allows used > quota only up to that figure:
-- - when a window is inserted or its quota changes (an upgrade, a move to Free, a plan migration), it is
--   `used` at that moment: units used before a downgrade are not a violation, units admitted after it
--   beyond the new quota are. A recording only ever increments `used` (its UPDATE does not set quota), so
--   it never fires this.
-- - when an event moves into a window (a renewal places events recorded at or after the new period start
--   into the new period's window, whose quota may be lower), the event's quota units are added: they were
--   admitted by the window they were recorded in.
-- Windows that existed before this migration have no figure and are held to their quota.
-- The bodies are Unicode-escaped strings (each semicolon written \003B) because Prisma's migration runner
-- splits a script at every semicolon (see lib/billing/sql-functions.ts). They read:
--   IF TG_OP = 'INSERT' OR NEW.quota IS DISTINCT FROM OLD.quota THEN NEW."usedAtQuotaChange" := NEW.used END IF
--   RETURN NEW
-- and
--   UPDATE "UsageWindow" SET "usedAtQuotaChange" = COALESCE("usedAtQuotaChange", 0) + NEW."quotaUnits" WHERE id = NEW."windowId"
--   RETURN NULL
CREATE FUNCTION tally_window_quota_change() RETURNS trigger LANGUAGE plpgsql AS U&'
BEGIN
  IF TG_OP = ''INSERT'' OR NEW.quota IS DISTINCT FROM OLD.quota THEN
    NEW."usedAtQuotaChange" := NEW.used\003B
  END IF\003B
  RETURN NEW\003B
END
';

CREATE TRIGGER "UsageWindow_quota_change" BEFORE INSERT OR UPDATE OF quota ON "UsageWindow"
  FOR EACH ROW EXECUTE FUNCTION tally_window_quota_change();

CREATE FUNCTION tally_event_window_move() RETURNS trigger LANGUAGE plpgsql AS U&'
BEGIN
  UPDATE "UsageWindow" SET "usedAtQuotaChange" = COALESCE("usedAtQuotaChange", 0) + NEW."quotaUnits" WHERE id = NEW."windowId"\003B
  RETURN NULL\003B
END
';

CREATE TRIGGER "UsageEvent_window_move" AFTER UPDATE OF "windowId" ON "UsageEvent"
  FOR EACH ROW WHEN (NEW."windowId" IS DISTINCT FROM OLD."windowId") EXECUTE FUNCTION tally_event_window_move();
