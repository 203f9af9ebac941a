-- Model prices become versions: each applies from its effectiveFrom until the next version's. The prices
-- stored so far apply from the start of time.
DROP INDEX "ModelPrice_provider_model_key";

ALTER TABLE "ModelPrice" ADD COLUMN     "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "createdByEmail" TEXT,
ADD COLUMN     "effectiveFrom" TIMESTAMP(3) NOT NULL DEFAULT '1970-01-01 00:00:00';

ALTER TABLE "ModelPrice" ALTER COLUMN "effectiveFrom" DROP DEFAULT;

CREATE UNIQUE INDEX "ModelPrice_provider_model_effectiveFrom_key" ON "ModelPrice"("provider", "model", "effectiveFrom");

-- Usage sent as costs keeps what priced it: the dollars and the tokens with the price versions used.
ALTER TABLE "UsageEvent" ADD COLUMN     "costDollars" DECIMAL(38,12),
ADD COLUMN     "costTokens" JSONB;

-- The metering function stores them (a new last parameter, p_cost): the old signature goes first.
DROP FUNCTION tally_record_usage(text, text, "EntitlementKind", numeric, text, text, text, jsonb, timestamp(3), text, int[], timestamp(3));

-- billing functions (generated from lib/billing/*.sql by lib/billing/sql-functions.ts)
CREATE OR REPLACE FUNCTION tally_record_usage(
  p_workspace_id text, p_feature text, p_kind "EntitlementKind", p_delta numeric, p_units text,
  p_key text, p_hash text, p_metadata jsonb, p_now timestamp(3), p_event_id text,
  p_thresholds int[], p_lifetime_end timestamp(3), p_cost jsonb DEFAULT NULL
) RETURNS TABLE (
  response jsonb, notification_ids text[],
  window_id text, window_kind text, window_quota text, window_used text, window_overflow text, window_end timestamp(3),
  balance text, spendable text, existing_hash text, existing_response jsonb
)
LANGUAGE plpgsql AS U&'
#variable_conflict use_column
DECLARE
  v_response jsonb\003B
  v_ids text[]\003B
BEGIN
  WITH w AS (
    UPDATE "UsageWindow" AS uw SET used = uw.used + p_delta
    WHERE uw."workspaceId" = p_workspace_id AND uw.feature = p_feature AND uw.kind = p_kind
      AND uw."periodStart" <= p_now AND uw."periodEnd" > p_now
      AND CASE WHEN p_delta > 0 THEN (uw.quota IS NULL OR uw.overflow = ''soft'' OR uw.used + p_delta <= uw.quota)
               ELSE uw.used + p_delta >= 0 END
      AND NOT EXISTS (SELECT 1 FROM "UsageEvent" e WHERE e."workspaceId" = p_workspace_id AND e."idempotencyKey" = p_key)
    RETURNING uw.id, uw.quota, uw.used, uw."periodEnd"
  ), ev AS (
    INSERT INTO "UsageEvent" AS e (id, "workspaceId", feature, "windowId", units, "quotaUnits", "extrasUnits", "idempotencyKey", "requestHash", response, metadata, "costDollars", "costTokens", "createdAt")
    SELECT p_event_id, p_workspace_id, p_feature, w.id, p_delta, p_delta, 0, p_key, p_hash,
      jsonb_build_object(
        ''allowed'', true,
        ''feature'', p_feature,
        ''units'', p_units,
        ''remaining'', CASE WHEN w.quota IS NULL THEN NULL ELSE trim_scale(GREATEST(w.quota - w.used, 0))::text END,
        ''extrasRemaining'', COALESCE((SELECT trim_scale(a.balance)::text FROM "ExtrasAccount" a WHERE a."workspaceId" = p_workspace_id), ''0''),
        ''resetsAt'', CASE WHEN w."periodEnd" >= p_lifetime_end THEN NULL ELSE to_char(w."periodEnd", ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'') END),
      p_metadata, (p_cost->>''dollars'')::numeric, p_cost->''tokens'', p_now
    FROM w
    RETURNING e.response
  ), m AS (
    INSERT INTO "ThresholdMark" AS t (id, "workspaceId", "windowId", feature, percent, "createdAt")
    SELECT gen_random_uuid()::text, p_workspace_id, w.id, p_feature, p.pct, p_now
    FROM w CROSS JOIN unnest(p_thresholds) AS p(pct)
    WHERE p_kind = ''meter'' AND w.quota > 0 AND (w.used - p_delta) * 100 < w.quota * p.pct AND w.used * 100 >= w.quota * p.pct
    ON CONFLICT DO NOTHING
    RETURNING t."windowId", t.percent
  ), n AS (
    -- Same wording as thresholdSubject and thresholdBody in lib/billing/thresholds.ts (a test holds them equal).
    INSERT INTO "Notification" AS x (id, "workspaceId", kind, subject, body, "dedupeKey", status, "createdAt")
    SELECT gen_random_uuid()::text, p_workspace_id, ''threshold'',
      format(''%s usage reached %s%% of its quota'', p_feature, m.percent),
      format(''Your workspace has used %s%% of its %s quota for the current window. '', m.percent, p_feature)
        || CASE WHEN w."periodEnd" >= p_lifetime_end THEN ''This quota does not reset.''
                ELSE ''The quota resets at '' || to_char(w."periodEnd", ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'') || ''.'' END,
      ''threshold:'' || m."windowId" || '':'' || m.percent, ''pending'', p_now
    FROM m CROSS JOIN w
    ON CONFLICT DO NOTHING
    RETURNING x.id
  )
  SELECT (SELECT ev.response FROM ev), ARRAY(SELECT n.id FROM n) INTO v_response, v_ids\003B

  IF v_response IS NOT NULL THEN
    RETURN QUERY SELECT v_response, v_ids, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
      NULL::timestamp(3), NULL::text, NULL::text, NULL::text, NULL::jsonb\003B
    RETURN\003B
  END IF\003B

  RETURN QUERY
  SELECT NULL::jsonb, ''{}''::text[], w.id, w.kind::text, w.quota::text, w.used::text, w.overflow::text, w."periodEnd",
    (SELECT a.balance::text FROM "ExtrasAccount" a WHERE a."workspaceId" = p_workspace_id),
    (SELECT COALESCE(sum(l.remaining), 0)::text FROM "ExtrasLot" l
      WHERE l."workspaceId" = p_workspace_id AND l.remaining > 0 AND l."expiredAt" IS NULL
        AND (l."expiresAt" IS NULL OR l."expiresAt" > p_now)),
    e."requestHash", e.response
  FROM (SELECT 1) AS one
  LEFT JOIN "UsageWindow" w ON w."workspaceId" = p_workspace_id AND w.feature = p_feature
    AND w."periodStart" <= p_now AND w."periodEnd" > p_now
  LEFT JOIN "UsageEvent" e ON e."workspaceId" = p_workspace_id AND e."idempotencyKey" = p_key\003B
END
';
