CREATE TRIGGER "ThresholdMark_webhooks" AFTER INSERT ON "ThresholdMark" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_threshold();
CREATE TRIGGER "LedgerEntry_webhooks" AFTER INSERT ON "LedgerEntry" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_ledger();
CREATE TRIGGER "AutoTopUpAttempt_webhooks" AFTER INSERT OR UPDATE OF status ON "AutoTopUpAttempt" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_auto_top_up();
CREATE TRIGGER "Subscription_webhooks" AFTER INSERT OR UPDATE OF status, "stripeSubscriptionId" ON "Subscription" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_subscription();
CREATE TRIGGER "PlanChange_webhooks" AFTER INSERT ON "PlanChange" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_plan_change();
CREATE TRIGGER "Notification_webhooks" AFTER INSERT ON "Notification" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_notification();
CREATE TRIGGER "Invoice_webhooks" AFTER INSERT OR UPDATE ON "Invoice" FOR EACH ROW EXECUTE FUNCTION tally_webhooks_invoice();
