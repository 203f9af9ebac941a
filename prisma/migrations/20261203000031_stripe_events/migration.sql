-- AlterEnum
ALTER TYPE "LedgerKind" ADD VALUE 'dispute';

-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "pendingUpdateExpiresAt" TIMESTAMP(3),
ADD COLUMN     "pendingUpdatePlanId" TEXT;

-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "billingReason" TEXT,
ADD COLUMN     "finalizationError" TEXT,
ADD COLUMN     "paymentError" TEXT,
ADD COLUMN     "paymentIssue" TEXT;

-- CreateTable
CREATE TABLE "ExtrasPurchase" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "checkoutSessionId" TEXT NOT NULL,
    "packId" TEXT NOT NULL,
    "paymentIntentId" TEXT,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "failureMessage" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExtrasPurchase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Dispute" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "chargeId" TEXT NOT NULL,
    "paymentIntentId" TEXT,
    "lotId" TEXT,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "frozenUnits" DECIMAL(38,6) NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "Dispute_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OperatorAlert" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "workspaceId" TEXT,
    "subjectId" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "OperatorAlert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ExtrasPurchase_checkoutSessionId_key" ON "ExtrasPurchase"("checkoutSessionId");

-- CreateIndex
CREATE INDEX "ExtrasPurchase_workspaceId_createdAt_idx" ON "ExtrasPurchase"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Dispute_workspaceId_createdAt_idx" ON "Dispute"("workspaceId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "OperatorAlert_dedupeKey_key" ON "OperatorAlert"("dedupeKey");

-- CreateIndex
CREATE INDEX "OperatorAlert_resolvedAt_createdAt_idx" ON "OperatorAlert"("resolvedAt", "createdAt");

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_pendingUpdatePlanId_fkey" FOREIGN KEY ("pendingUpdatePlanId") REFERENCES "Plan"("id") ON DELETE SET NULL ON UPDATE CASCADE;

