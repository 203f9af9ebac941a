/**
 * Workspace API keys: what the metering API authenticates with. No framework imports.
 *
 *   createApiKey(db, { workspaceId, name, createdById? }) -> summary + secret   (the only time the secret exists in clear)
 *   listApiKeys(db, workspaceId) -> ApiKeySummary[]                            (prefix, name, created, last used, revoked)
 *   revokeApiKey(db, { workspaceId, keyId }) -> ApiKeySummary                  (effective on the next request)
 *   authenticateApiKey(db, { secret, clientKey }) -> { keyId, workspaceId }     (unauthorized 401, rate_limited 429)
 *   apiKeyScope(db, { secret, clientKey }) -> WorkspaceScope                     (the same check, folded into the engine's first statement)
 */
export { createApiKey, listApiKeys, revokeApiKey, MAX_ACTIVE_KEYS, MAX_KEY_NAME, type ApiKeySummary } from "./keys";
export { apiKeyScope, authenticateApiKey, FAILURE_LIMIT, FAILURE_WINDOW_SECONDS, LAST_USED_GRANULARITY_MS, type ApiKeyScope, type ApiPrincipal, type Credentials } from "./authenticate";
export { KEY_PREFIX, hashSecret, looksLikeKey } from "./secret";
