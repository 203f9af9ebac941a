-- Endpoints created through the API with an Idempotency-Key: the key (scoped by the platform key) and a hash
-- of the request, so a retry answers as the creation did.
ALTER TABLE "WebhookEndpoint" ADD COLUMN "idempotencyKey" TEXT,
ADD COLUMN "requestHash" TEXT;

CREATE UNIQUE INDEX "WebhookEndpoint_idempotencyKey_key" ON "WebhookEndpoint"("idempotencyKey");
