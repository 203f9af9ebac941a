-- AlterTable
ALTER TABLE "AutoTopUpAttempt" ADD COLUMN     "ledgerSeq" INTEGER NOT NULL DEFAULT 0;

-- Attempts made before this column existed count as decided after every entry written so far,
-- so no debit already behind them can start another purchase.
UPDATE "AutoTopUpAttempt" t SET "ledgerSeq" = a."lastSeq" FROM "ExtrasAccount" a WHERE a."workspaceId" = t."workspaceId";
