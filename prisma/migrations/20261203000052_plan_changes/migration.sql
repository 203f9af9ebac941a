-- CreateTable
CREATE TABLE "PlanChange" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "fromPlanId" TEXT NOT NULL,
    "toPlanId" TEXT NOT NULL,
    "fromStatus" TEXT NOT NULL,
    "toStatus" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "actorId" TEXT,
    "actorEmail" TEXT,
    "changedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PlanChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PlanChange_workspaceId_changedAt_idx" ON "PlanChange"("workspaceId", "changedAt");

-- Every change of a subscription's plan is recorded by this trigger, whichever code path made it, with the
-- reason and the actor. A writer that knows better sets them for its transaction:
--   SELECT set_config('tally.plan_change_reason', 'operator', true), set_config('tally.actor_email', ..., true)
-- Otherwise the reason is read off the change: a trial started or ended, dunning, a new Stripe subscription
-- (checkout), the scheduled plan taking effect (downgrade), a move to Free (canceled), else the price
-- decides between upgrade and downgrade. The same fact goes to the audit log.
-- The body is a Unicode-escaped string (each semicolon written \003B) because Prisma's migration runner
-- splits a script at every semicolon.
CREATE FUNCTION tally_plan_change() RETURNS trigger LANGUAGE plpgsql AS U&'
DECLARE
  why text := NULLIF(current_setting(''tally.plan_change_reason'', true), '''')\003B
  actor_id text := NULLIF(current_setting(''tally.actor_id'', true), '''')\003B
  actor_email text := NULLIF(current_setting(''tally.actor_email'', true), '''')\003B
  old_price int\003B
  new_price int\003B
  old_name text\003B
  new_name text\003B
BEGIN
  SELECT "monthlyPriceCents", name || '' v'' || version INTO old_price, old_name FROM "Plan" WHERE id = OLD."planId"\003B
  SELECT "monthlyPriceCents", name || '' v'' || version INTO new_price, new_name FROM "Plan" WHERE id = NEW."planId"\003B
  IF why IS NULL THEN
    IF NEW.status = ''trialing'' AND OLD.status <> ''trialing'' THEN why := ''trial''\003B
    ELSIF OLD.status = ''trialing'' AND NEW."stripeSubscriptionId" IS NULL THEN why := ''trial_ended''\003B
    ELSIF NEW.status = ''unpaid'' THEN why := ''dunning''\003B
    ELSIF NEW."stripeSubscriptionId" IS NOT NULL AND NEW."stripeSubscriptionId" IS DISTINCT FROM OLD."stripeSubscriptionId" AND NEW.status <> ''free'' THEN why := ''checkout''\003B
    ELSIF NEW."planId" = OLD."pendingPlanId" THEN why := ''downgrade''\003B
    ELSIF NEW.status = ''free'' THEN why := ''canceled''\003B
    ELSIF new_price > old_price THEN why := ''upgrade''\003B
    ELSE why := ''downgrade''\003B
    END IF\003B
  END IF\003B
  INSERT INTO "PlanChange" (id, "workspaceId", "fromPlanId", "toPlanId", "fromStatus", "toStatus", reason, "actorId", "actorEmail")
  VALUES (gen_random_uuid()::text, NEW."workspaceId", OLD."planId", NEW."planId", OLD.status::text, NEW.status::text, why, actor_id, actor_email)\003B
  INSERT INTO "AuditLog" (id, "actorKind", "actorId", "actorEmail", "workspaceId", action, "subjectType", "subjectId", before, after, memo)
  VALUES (gen_random_uuid()::text, CASE WHEN actor_email IS NULL THEN ''system'' ELSE COALESCE(NULLIF(current_setting(''tally.actor_kind'', true), ''''), ''operator'') END,
          actor_id, actor_email, NEW."workspaceId", ''subscription.plan_changed'', ''subscription'', NEW.id,
          jsonb_build_object(''plan'', old_name, ''status'', OLD.status::text), jsonb_build_object(''plan'', new_name, ''status'', NEW.status::text), why)\003B
  RETURN NULL\003B
END
';

CREATE TRIGGER "Subscription_plan_change" AFTER UPDATE OF "planId" ON "Subscription"
  FOR EACH ROW WHEN (NEW."planId" IS DISTINCT FROM OLD."planId") EXECUTE FUNCTION tally_plan_change();
