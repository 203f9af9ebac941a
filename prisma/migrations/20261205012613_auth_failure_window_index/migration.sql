-- CreateIndex
CREATE INDEX "AuthFailure_windowStart_idx" ON "AuthFailure"("windowStart");

