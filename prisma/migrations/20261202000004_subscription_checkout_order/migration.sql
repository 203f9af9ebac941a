-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "stripeSyncTicket" BIGINT;

-- CreateTable
CREATE TABLE "SubscriptionCheckout" (
    "seq" BIGSERIAL NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "checkoutSessionId" TEXT NOT NULL,
    "stripeSubscriptionId" TEXT NOT NULL,
    "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),
    "supersededBy" TEXT,

    CONSTRAINT "SubscriptionCheckout_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "SubscriptionCheckout_checkoutSessionId_key" ON "SubscriptionCheckout"("checkoutSessionId");

-- CreateIndex
CREATE UNIQUE INDEX "SubscriptionCheckout_stripeSubscriptionId_key" ON "SubscriptionCheckout"("stripeSubscriptionId");

-- CreateIndex
CREATE INDEX "SubscriptionCheckout_workspaceId_seq_idx" ON "SubscriptionCheckout"("workspaceId", "seq");

-- Sync tickets: drawn before a subscription sync reads Stripe. The row keeps the applied one, and a lower one is refused
-- (not a Prisma model: read with nextval only).
CREATE SEQUENCE "SubscriptionSyncTicket";
