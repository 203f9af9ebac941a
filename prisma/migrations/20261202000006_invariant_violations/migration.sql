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


-- Keeps UsageWindow."usedAtQuotaChange" = `used` at the moment the window's quota was last set: when the
-- window is inserted and whenever its quota changes (an upgrade, a move to Free, a plan migration).
-- A recording only ever increments `used` (the column list of its UPDATE leaves out quota), so it never
-- fires this. The invariant checker then allows used > quota only up to that figure: units that were
-- already used before a downgrade are not a violation, units admitted after it beyond the quota are.
-- Windows that existed before this migration have no figure and are held to their quota.
-- The body is a Unicode-escaped string (each semicolon written \003B) because Prisma's migration runner splits
-- a script at every semicolon (see lib/billing/sql-functions.ts). It reads:
--   IF TG_OP = 'INSERT' OR NEW.quota IS DISTINCT FROM OLD.quota THEN NEW."usedAtQuotaChange" := NEW.used END IF
--   RETURN NEW
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
