-- ---------------------------------------------------------------- API keys: when a key was last used
-- tally_touch_api_key, tally_touch_platform_key: a key's lastUsedAt set to p_now when it is older than p_cutoff
-- (at most once per LAST_USED_GRANULARITY_MS, lib/api-keys/authenticate.ts). They are called from the SELECT
-- that authenticates a request, which runs inside the request's first statement (a SELECT can write only
-- through a function): a request whose key is due for an update pays no round trip of its own for it.
-- The condition is checked again under the row lock, so instances racing on one minute write once between them.
CREATE OR REPLACE FUNCTION tally_touch_api_key(p_id text, p_now timestamp(3), p_cutoff timestamp(3)) RETURNS boolean
LANGUAGE sql AS $fn$
  UPDATE "ApiKey" SET "lastUsedAt" = p_now
  WHERE id = p_id AND ("lastUsedAt" IS NULL OR "lastUsedAt" <= p_cutoff)
  RETURNING true
$fn$;

CREATE OR REPLACE FUNCTION tally_touch_platform_key(p_id text, p_now timestamp(3), p_cutoff timestamp(3)) RETURNS boolean
LANGUAGE sql AS $fn$
  UPDATE "PlatformKey" SET "lastUsedAt" = p_now
  WHERE id = p_id AND ("lastUsedAt" IS NULL OR "lastUsedAt" <= p_cutoff)
  RETURNING true
$fn$;
