import { generateSecret } from "@/lib/api-keys/secret";

/** Platform keys reach every workspace, so they look unlike workspace keys to people and to secret scanners. */
export const PLATFORM_KEY_PREFIX = "tk_platform_";

// tk_platform_<8 hex: the visible prefix's fragment>_<43 base64url: 256 random bits>
const KEY_RE = /^tk_platform_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;

export const generatePlatformSecret = () => generateSecret(PLATFORM_KEY_PREFIX);

/** Shape check before any lookup, so garbage never reaches the database. */
export const looksLikePlatformKey = (value: string): boolean => KEY_RE.test(value);

/** Whether a bearer token claims to be a platform key (whether or not it is well formed). */
export const isPlatformToken = (value: string | null): boolean => value !== null && value.startsWith(PLATFORM_KEY_PREFIX);
