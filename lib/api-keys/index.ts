/**
 * Workspace API keys: what the metering API authenticates with. No framework imports.
 *
 *   createApiKey(db, { workspaceId, name, createdById? }) -> summary + secret   (the only time the secret exists in clear)
 *   listApiKeys(db, workspaceId) -> ApiKeyListItem[]                           (prefix, name, created, last used, revoked, creator)
 *   revokeApiKey(db, { workspaceId, keyId }) -> ApiKeySummary                  (effective on the next request)
 *   activeKeysCreatedBy / revokeKeysCreatedBy(db, { workspaceId, userId })    (offered when a member leaves or is demoted)
 *   authenticateApiKey(db, { secret, clientKey }) -> { keyId, workspaceId }     (unauthorized 401, rate_limited 429)
 *   apiKeyScope(db, { secret, clientKey }) -> WorkspaceScope                     (the same check, folded into the engine's first statement)
 */
export {
  activeKeysCreatedBy,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  revokeKeysCreatedBy,
  MAX_ACTIVE_KEYS,
  MAX_KEY_NAME,
  type ApiKeyCreator,
  type ApiKeyListItem,
  type ApiKeySummary,
} from "./keys";
export { apiKeyScope, authenticateApiKey, FAILURE_LIMIT, FAILURE_WINDOW_SECONDS, LAST_USED_GRANULARITY_MS, type ApiKeyScope, type ApiPrincipal, type Credentials } from "./authenticate";
export { KEY_PREFIX, hashSecret, looksLikeKey } from "./secret";
