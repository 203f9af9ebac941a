/**
 * Platform keys: the integrating backend's keys for every workspace at once (tk_platform_...). Operators
 * create and revoke them in the console. No framework imports.
 *
 *   createPlatformKey(tx, actor, { name }) -> summary + secret   (the only time the secret exists in clear; audited)
 *   listPlatformKeys(db) -> PlatformKeySummary[]                  (prefix, name, created, last used, revoked)
 *   revokePlatformKey(tx, actor, { keyId })                       (effective on the next request; audited)
 *   platformKeyScope(db, { secret, clientKey, workspace })        (the workspace the key names, folded into the engine's first statement)
 */
export { createPlatformKey, listPlatformKeys, revokePlatformKey, MAX_ACTIVE_PLATFORM_KEYS, MAX_PLATFORM_KEY_NAME, type PlatformKeySummary } from "./keys";
export { platformKeyScope, workspaceRequired } from "./authenticate";
export { PLATFORM_KEY_PREFIX, isPlatformToken, looksLikePlatformKey } from "./secret";
