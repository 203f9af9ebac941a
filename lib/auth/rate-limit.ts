import { createHash } from "node:crypto";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";

// Sign-in, sign-up and password reset each cost a password hash (scrypt) or an email, and sign-in is where
// passwords are guessed.
// Attempts are counted per fixed window in the database (AuthAttempt), so every instance shares the
// counts, under two keys: the email (hashed, so the table holds no addresses) and the client address
// when one is known. An attempt takes its place in both counts BEFORE any hashing, in one statement,
// so concurrent attempts cannot all slip under the limit and no hash is computed past it.

export type AuthAction = "sign-in" | "sign-up" | "verify-email" | "password-reset";

export interface AuthLimit {
  windowSeconds: number;
  /** Attempts per window for one email. */
  perEmail: number;
  /** Attempts per window from one client address (many people may share one, behind a NAT). */
  perAddress: number;
}

/**
 * Sign-in counts failed attempts only (a success gives its place back), so a person who signs in often is
 * never refused; a guesser gets 10 tries per email per quarter hour. Sign-up counts every attempt.
 */
export const AUTH_LIMITS: Record<AuthAction, AuthLimit> = {
  "sign-in": { windowSeconds: 15 * 60, perEmail: 10, perAddress: 100 },
  "sign-up": { windowSeconds: 15 * 60, perEmail: 10, perAddress: 50 },
  // Each attempt sends an email: a few per address, so nobody's inbox can be flooded through the form.
  "verify-email": { windowSeconds: 15 * 60, perEmail: 5, perAddress: 50 },
  // Each request may send an email, and a new password costs a hash: as few as "send the link again" allows.
  "password-reset": { windowSeconds: 15 * 60, perEmail: 5, perAddress: 50 },
};

const attemptsOf: Record<AuthAction, string> = { "sign-in": "sign-in attempts", "sign-up": "sign-up attempts", "verify-email": "verification emails", "password-reset": "password reset requests" };

// Old windows are deleted by the limiter itself (no cron needed); kept a while for investigation.
const KEEP_MS = 24 * 3600_000;

/** A counted attempt: give it back with `releaseAttempt` when it should not count (a successful sign-in). */
export interface Attempt {
  buckets: string[];
  windowStart: Date;
}

export function rateLimitedError(action: AuthAction, retryAfter: number): AppError {
  return new AppError("rate_limited", `Too many ${attemptsOf[action]}. Try again in ${describeWait(retryAfter)}.`, { retryAfter });
}

/** "45 seconds", "1 minute", "12 minutes": when to retry, in words for a form. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** Seconds until the current window of `action` ends: when a refused client may try again. */
export function retryAfterSeconds(action: AuthAction, now: Date): number {
  const windowMs = AUTH_LIMITS[action].windowSeconds * 1000;
  return Math.max(1, Math.ceil((windowMs - (now.getTime() % windowMs)) / 1000));
}

export const emailBucketKey = (email: string) => createHash("sha256").update(email.trim().toLowerCase()).digest("hex");

/**
 * Counts an attempt at `action` for this email (and address, when known). Throws AppError rate_limited
 * (details.retryAfter: seconds until the window ends) when either count is past its limit: the caller
 * then must not hash anything.
 */
export async function takeAttempt(db: Tx, input: { action: AuthAction; email: string; address: string | null; now?: Date }): Promise<Attempt> {
  const limit = AUTH_LIMITS[input.action];
  const now = input.now ?? new Date();
  const windowMs = limit.windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const emailBucket = `${input.action}:email:${emailBucketKey(input.email)}`;
  const addressBucket = input.address ? `${input.action}:addr:${input.address.slice(0, 100)}` : null;
  const buckets = addressBucket ? [emailBucket, addressBucket] : [emailBucket];
  // Always the email row first, so two statements never lock the same pair of rows in opposite orders.
  const rows = await db.$queryRaw<{ bucket: string; count: number }[]>`
    INSERT INTO "AuthAttempt" (bucket, "windowStart", count)
    SELECT b, ${windowStart}, 1 FROM unnest(${buckets}::text[]) WITH ORDINALITY AS t(b, i) ORDER BY i
    ON CONFLICT (bucket, "windowStart") DO UPDATE SET count = "AuthAttempt".count + 1
    RETURNING bucket, count`;
  if (rows.some((r) => r.count === 1)) {
    await db.$executeRaw`DELETE FROM "AuthAttempt" WHERE "windowStart" < ${new Date(now.getTime() - KEEP_MS)}`;
  }
  const over = rows.some((r) => r.count > (r.bucket === emailBucket ? limit.perEmail : limit.perAddress));
  if (over) throw rateLimitedError(input.action, retryAfterSeconds(input.action, now));
  return { buckets, windowStart };
}

/** Gives a counted attempt back (a sign-in that succeeded is no guess). */
export async function releaseAttempt(db: Tx, attempt: Attempt): Promise<void> {
  await db.$executeRaw`
    UPDATE "AuthAttempt" SET count = count - 1
    WHERE bucket = ANY(${attempt.buckets}::text[]) AND "windowStart" = ${attempt.windowStart} AND count > 0`;
}
