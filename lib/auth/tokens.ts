import { createHash, randomBytes } from "node:crypto";
import type { Tx } from "@/lib/db";

// Links sent by email carry a random secret; the database keeps only its SHA-256, so a leaked table holds
// no usable link. A token is good once, for the address it was sent to, until it expires.

export type TokenPurpose = "verify_email" | "reset_password";

/** How long a link works: verifying an address can wait a day; a reset link is a key to the account. */
export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  verify_email: 24 * 3600_000,
  reset_password: 3600_000,
};

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * Stores a new token for the user's current address and returns its secret (to put in a link, never stored).
 * A new reset link makes older ones useless (only the newest key to an account works); older verification
 * links stay good, since any of them only proves the same address.
 */
export async function issueToken(db: Tx, input: { userId: string; email: string; purpose: TokenPurpose; now?: Date }): Promise<string> {
  const now = input.now ?? new Date();
  const token = randomBytes(32).toString("base64url");
  if (input.purpose === "reset_password") {
    await db.userToken.updateMany({ where: { userId: input.userId, purpose: input.purpose, usedAt: null }, data: { usedAt: now } });
  }
  await db.userToken.create({
    data: { userId: input.userId, email: input.email, purpose: input.purpose, tokenHash: hashOf(token), expiresAt: new Date(now.getTime() + TOKEN_TTL_MS[input.purpose]), createdAt: now },
  });
  return token;
}

/** The user a token would act for, without spending it (to show the right page), or null when it is no good. */
export async function peekToken(db: Tx, input: { token: string; purpose: TokenPurpose; now?: Date }) {
  if (!plausible(input.token)) return null;
  const row = await db.userToken.findUnique({ where: { tokenHash: hashOf(input.token) }, include: { user: { select: { email: true } } } });
  const now = input.now ?? new Date();
  if (!row || row.purpose !== input.purpose || row.usedAt || row.expiresAt <= now || row.user.email !== row.email) return null;
  return { userId: row.userId, email: row.email };
}

/**
 * Spends a token: one conditional update, so two clicks (or two tabs) cannot both use it. Every other
 * unused token of the same purpose for that user is spent with it (an older reset link stops working).
 * Null when the token is unknown, used, expired, or was sent to an address the user no longer has.
 */
export async function consumeToken(db: Tx, input: { token: string; purpose: TokenPurpose; now?: Date }): Promise<{ userId: string; email: string } | null> {
  if (!plausible(input.token)) return null;
  const now = input.now ?? new Date();
  const rows = await db.$queryRaw<{ userId: string; email: string }[]>`
    UPDATE "UserToken" t SET "usedAt" = ${now}
    FROM "User" u
    WHERE t."tokenHash" = ${hashOf(input.token)} AND t.purpose = ${input.purpose}::"UserTokenPurpose"
      AND t."usedAt" IS NULL AND t."expiresAt" > ${now} AND u.id = t."userId" AND u.email = t.email
    RETURNING t."userId", t.email`;
  const spent = rows[0];
  if (!spent) return null;
  await db.userToken.updateMany({ where: { userId: spent.userId, purpose: input.purpose, usedAt: null }, data: { usedAt: now } });
  return spent;
}

// Anything else is not one of ours: answered "no good" without a query.
const plausible = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);
