-- ---------------------------------------------------------------- API keys: when a key was last used
-- tally_touch_api_key, tally_touch_platform_key: a key's lastUsedAt set to p_now when it is older than p_cutoff
-- (at most once per LAST_USED_GRANULARITY_MS, lib/api-keys/authenticate.ts). They are called from the SELECT
-- that authenticates a request, which runs inside the request's first statement (a SELECT can write only
-- through a function): a request whose key is due for an update pays no round trip of its own for it.
-- The condition is checked again under the row lock, so instances racing on one minute write once between them.
-- PL/pgSQL keeps the UPDATE's plan per connection; a SQL function's body is parsed and planned on every call.
CREATE OR REPLACE FUNCTION tally_touch_api_key(p_id text, p_now timestamp(3), p_cutoff timestamp(3)) RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE "ApiKey" SET "lastUsedAt" = p_now
  WHERE id = p_id AND ("lastUsedAt" IS NULL OR "lastUsedAt" <= p_cutoff);
  RETURN FOUND;
END
$fn$;

CREATE OR REPLACE FUNCTION tally_touch_platform_key(p_id text, p_now timestamp(3), p_cutoff timestamp(3)) RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE "PlatformKey" SET "lastUsedAt" = p_now
  WHERE id = p_id AND ("lastUsedAt" IS NULL OR "lastUsedAt" <= p_cutoff);
  RETURN FOUND;
END
$fn$;
