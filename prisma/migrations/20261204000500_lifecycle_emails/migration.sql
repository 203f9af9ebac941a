-- Lifecycle emails: a notification keeps the facts its email is rendered from (the template is chosen by kind).
ALTER TABLE "Notification" ADD COLUMN "data" JSONB;

-- The invoice's PDF, as Stripe links it, for the invoices page.
ALTER TABLE "Invoice" ADD COLUMN "pdfUrl" TEXT;

-- The threshold cooldown looks up a workspace's latest sent notice of a kind.
CREATE INDEX "Notification_workspaceId_kind_sentAt_idx" ON "Notification"("workspaceId", "kind", "sentAt");
