-- claimThresholds: a workspace's threshold notices that may still be sent, without reading the sent or given-up ones
CREATE INDEX "Notification_workspaceId_kind_due_idx" ON "Notification"("workspaceId", "kind") WHERE "attempts" < 5 AND "status" <> 'sent';

-- deliverPendingNotifications: what may still be sent, oldest first, without reading the sent or given-up ones
CREATE INDEX "Notification_createdAt_due_idx" ON "Notification"("createdAt") WHERE "attempts" < 5 AND "status" <> 'sent';

-- deliverPendingNotifications' cooldown check: threshold notices sent in the last minutes, across workspaces
CREATE INDEX "Notification_sentAt_threshold_idx" ON "Notification"("sentAt") WHERE "kind" = 'threshold';

-- claimDue: a disabled endpoint's pending deliveries have no next attempt until it is enabled again, so the
-- (status, nextAttemptAt) index does not return them
UPDATE "WebhookDelivery" d SET "nextAttemptAt" = NULL
FROM "WebhookEndpoint" e
WHERE e.id = d."endpointId" AND NOT e.enabled AND d.status = 'pending';
