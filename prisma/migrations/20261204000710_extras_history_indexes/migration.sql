-- CreateIndex
CREATE INDEX "AutoTopUpAttempt_workspaceId_ledgerSeq_idx" ON "AutoTopUpAttempt"("workspaceId", "ledgerSeq");

