import * as crypto from "node:crypto";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Every key starts with this, so leaked keys are recognisable by secret scanners and by people. */
export const KEY_PREFIX = "tk_live_";

// tk_live_<8 hex: the visible prefix's fragment>_<43 base64url: 256 random bits>
const KEY_RE = /^tk_live_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;

export interface NewSecret {
  secret: string;
  /** What the list shows: enough to tell keys apart, never enough to use one. */
  prefix: string;
  hash: string;
}

/** A new secret: `kind` is its leading tag (a workspace key's by default; platform keys have their own). */
export function generateSecret(kind: string = KEY_PREFIX): NewSecret {
  const prefix = `${kind}${randomBytes(4).toString("hex")}`;
  const secret = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { secret, prefix, hash: hashSecret(secret) };
}

// Every API request hashes its key. crypto.hash (Node 20.12 and later) does it in one call, without a Hash
// object: 0.6 µs against 2 µs for createHash.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

/** SHA-256 is enough here: the secret is 256 random bits, so there is nothing to brute-force that a slow hash would protect. */
export const hashSecret = (secret: string): string =>
  oneShotHash ? oneShotHash("sha256", secret, "hex") : createHash("sha256").update(secret, "utf8").digest("hex");

/** Shape check before any lookup, so garbage never reaches the database. */
export const looksLikeKey = (value: string): boolean => KEY_RE.test(value);

/** Constant-time equality of two hex digests of equal length. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}
