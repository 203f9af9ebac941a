-- ---------------------------------------------------------------- billing: the database functions
-- The one source of the engine's database functions. `npm run db:deploy` (scripts/lib/migrate.ts) applies this
-- file as it is after the migrations, every time (CREATE OR REPLACE), so there is no second copy to keep equal.
-- A change of a function's parameters needs a migration that drops the old signature first.

-- tally_mark_thresholds: the threshold marks (80% and 100% of a window) crossed by moving a window's counter
-- from p_before to p_after, once per window and threshold (the unique mark), each with its notification.
-- Every path that raises a counter, or lowers a meter's quota under it, marks through this function; it returns
-- the new notifications' ids.
-- PL/pgSQL, not LANGUAGE sql: PostgreSQL (before 18) parses and plans a SQL function's body on every call
-- that cannot be inlined, and this one is called on every recording: 113 µs a call against 20 µs, measured
-- with nothing crossed, and about half of the database's CPU per recording over 100 workspaces.
CREATE OR REPLACE FUNCTION tally_mark_thresholds(
  p_workspace_id text, p_window_id text, p_feature text, p_before numeric, p_after numeric, p_quota numeric,
  p_thresholds int[], p_period_end timestamp(3), p_lifetime_end timestamp(3), p_now timestamp(3)
) RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
BEGIN
  RETURN QUERY
  WITH m AS (
    INSERT INTO "ThresholdMark" AS t (id, "workspaceId", "windowId", feature, percent, "createdAt")
    SELECT gen_random_uuid()::text, p_workspace_id, p_window_id, p_feature, p.pct, p_now
    FROM unnest(p_thresholds) AS p(pct)
    WHERE p_quota > 0 AND p_before * 100 < p_quota * p.pct AND p_after * 100 >= p_quota * p.pct
    ON CONFLICT DO NOTHING
    RETURNING t."windowId", t.percent
  )
  -- Same wording as thresholdSubject and thresholdBody in lib/billing/thresholds.ts (a test holds them equal).
  INSERT INTO "Notification" AS x (id, "workspaceId", kind, subject, body, "dedupeKey", status, "createdAt")
  SELECT gen_random_uuid()::text, p_workspace_id, 'threshold',
    format('%s usage reached %s%% of its quota', p_feature, m.percent),
    -- A backdated event can take a window that has already ended over a threshold: say which one.
    CASE WHEN p_period_end <= p_now
      THEN format('Usage reported late brought your workspace to %s%% of its %s quota for the window that ended at %s. '
        'The current window is not affected.', m.percent, p_feature, to_char(p_period_end, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      ELSE format('Your workspace has used %s%% of its %s quota for the current window. ', m.percent, p_feature)
        || CASE WHEN p_period_end >= p_lifetime_end THEN 'This quota does not reset.'
                ELSE 'The quota resets at ' || to_char(p_period_end, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '.' END END,
    'threshold:' || m."windowId" || ':' || m.percent, 'pending', p_now
  FROM m
  ON CONFLICT DO NOTHING
  RETURNING x.id;
END
$fn$;

-- tally_record_usage: the common path of recordUsage as one statement inside one function. A function keeps
-- its plan cached per connection, where the same CTE sent as ad-hoc SQL is parsed and planned on every
-- request, and on these machines that was about half the cost of a recording.
--
-- It decides the cases of the quota rule (decideQuota in lib/billing/quota-rule.ts) that need no extras, with
-- the same comparisons (tests/integration/billing/quota-rule.test.ts holds the two equal over random states):
-- increments the active window of (workspace, feature) chosen by time, under its row lock, only when
-- the units fit (or the window is unlimited or soft, and a negative delta releases a gauge, never below 0),
-- inserts the event with its answer, and marks the thresholds this increment crossed (tally_mark_thresholds). A duplicate idempotency key aborts the whole statement (unique violation), so the
-- increment never outlives a rejected event.
-- When nothing changed it says why in the same round trip, from one fresh snapshot: the active window
-- (none yet, or not enough quota), the extras, and the event already recorded under this key.
-- p_cost ({dollars, tokens}, for usage sent as costs) is stored on the event: what priced its units.
-- p_at is when the usage happened (a backdated event's timestamp; null: p_now): it picks the window and dates
-- the event. Everything else (threshold marks, notifications, which lots can still pay) is as of p_now.
CREATE OR REPLACE FUNCTION tally_record_usage(
  p_workspace_id text, p_feature text, p_kind "EntitlementKind", p_delta numeric, p_units text,
  p_key text, p_hash text, p_metadata jsonb, p_now timestamp(3), p_event_id text,
  p_thresholds int[], p_lifetime_end timestamp(3), p_cost jsonb DEFAULT NULL, p_at timestamp(3) DEFAULT NULL
) RETURNS TABLE (
  response jsonb, notification_ids text[],
  window_id text, window_kind text, window_quota text, window_used text, window_overflow text, window_end timestamp(3),
  balance text, spendable text, existing_hash text, existing_response jsonb
)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_response jsonb;
  v_ids text[] := '{}';
  v_window text;
  v_used numeric;
  v_quota numeric;
  v_end timestamp(3);
  v_at timestamp(3) := COALESCE(p_at, p_now);
BEGIN
  WITH w AS (
    UPDATE "UsageWindow" AS uw SET used = uw.used + p_delta
    WHERE uw."workspaceId" = p_workspace_id AND uw.feature = p_feature AND uw.kind = p_kind
      AND uw."periodStart" <= v_at AND uw."periodEnd" > v_at
      AND CASE WHEN p_delta > 0 THEN (uw.quota IS NULL OR uw.overflow = 'soft' OR uw.used + p_delta <= uw.quota)
               ELSE uw.used + p_delta >= 0 END
      AND NOT EXISTS (SELECT 1 FROM "UsageEvent" e WHERE e."workspaceId" = p_workspace_id AND e."idempotencyKey" = p_key)
    RETURNING uw.id, uw.quota, uw.used, uw."periodEnd"
  ), ev AS (
    INSERT INTO "UsageEvent" AS e (id, "workspaceId", feature, "windowId", units, "quotaUnits", "extrasUnits", "idempotencyKey", "requestHash", response, metadata, "costDollars", "costTokens", "createdAt", "recordedAt")
    SELECT p_event_id, p_workspace_id, p_feature, w.id, p_delta, p_delta, 0, p_key, p_hash,
      jsonb_build_object(
        'allowed', true,
        'feature', p_feature,
        'units', p_units,
        'remaining', CASE WHEN w.quota IS NULL THEN NULL ELSE trim_scale(GREATEST(w.quota - w.used, 0))::text END,
        'extrasRemaining', COALESCE((SELECT trim_scale(a.balance)::text FROM "ExtrasAccount" a WHERE a."workspaceId" = p_workspace_id), '0'),
        'resetsAt', CASE WHEN w."periodEnd" >= p_lifetime_end THEN NULL ELSE to_char(w."periodEnd", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END),
      p_metadata, (p_cost->>'dollars')::numeric, p_cost->'tokens', v_at, CASE WHEN v_at < p_now THEN p_now END
    FROM w
    RETURNING e.response
  )
  SELECT ev.response, w.id, w.used, w.quota, w."periodEnd" INTO v_response, v_window, v_used, v_quota, v_end
  FROM w CROSS JOIN ev;

  IF v_response IS NOT NULL AND p_kind = 'meter' THEN
    v_ids := ARRAY(SELECT tally_mark_thresholds(p_workspace_id, v_window, p_feature, v_used - p_delta, v_used, v_quota,
      p_thresholds, v_end, p_lifetime_end, p_now));
  END IF;

  IF v_response IS NOT NULL THEN
    RETURN QUERY SELECT v_response, v_ids, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
      NULL::timestamp(3), NULL::text, NULL::text, NULL::text, NULL::jsonb;
    RETURN;
  END IF;

  RETURN QUERY
  SELECT NULL::jsonb, '{}'::text[], w.id, w.kind::text, w.quota::text, w.used::text, w.overflow::text, w."periodEnd",
    (SELECT a.balance::text FROM "ExtrasAccount" a WHERE a."workspaceId" = p_workspace_id),
    (SELECT COALESCE(sum(l.remaining), 0)::text FROM "ExtrasLot" l
      WHERE l."workspaceId" = p_workspace_id AND l.remaining > 0 AND l."expiredAt" IS NULL
        AND (l."expiresAt" IS NULL OR l."expiresAt" > p_now)),
    e."requestHash", e.response
  FROM (SELECT 1) AS one
  LEFT JOIN "UsageWindow" w ON w."workspaceId" = p_workspace_id AND w.feature = p_feature
    AND w."periodStart" <= v_at AND w."periodEnd" > v_at
  LEFT JOIN "UsageEvent" e ON e."workspaceId" = p_workspace_id AND e."idempotencyKey" = p_key;
END
$fn$;
