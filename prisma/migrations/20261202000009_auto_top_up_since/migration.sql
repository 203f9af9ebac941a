-- Only debits after auto top-up was configured can start a purchase.
ALTER TABLE "ExtrasAccount" ADD COLUMN "autoTopUpSinceSeq" INTEGER NOT NULL DEFAULT 0;
