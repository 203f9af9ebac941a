-- expireLots: the lots due to expire, soonest first, without reading the ones already expired (every lot that
-- ever had an expiry ends up there, so the plain expiresAt index made each run read the whole history)
CREATE INDEX "ExtrasLot_expiresAt_due_idx" ON "ExtrasLot"("expiresAt", id) WHERE "expiredAt" IS NULL;
