import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { hotQuery } from "@/lib/billing/pg-pool";
import { hashSecret, looksLikeKey, sameHash } from "./secret";

/** Failed key attempts a client may make per window before it is refused outright (429). */
export const FAILURE_LIMIT = 20;
export const FAILURE_WINDOW_SECONDS = 60;
/** lastUsedAt is advanced at most this often per key, so the hot path does not write on every request. */
export const LAST_USED_GRANULARITY_MS = 60_000;

// AuthFailure rows of this limiter; other limiters share the table under their own prefix.
const NAMESPACE = "api:";
// Old windows are deleted by the limiter itself (no cron needed); kept a while for investigation.
const KEEP_WINDOWS_MS = 60 * 60_000;

export interface ApiPrincipal {
  keyId: string;
  workspaceId: string;
}

interface Row {
  id: string | null;
  workspaceId: string | null;
  hash: string | null;
  revoked: boolean | null;
  lastUsedAt: string | null;
  failures: number | null;
}

// Sent as a named prepared statement on the pool metering uses (hotQuery), skipping the Prisma pipeline:
// every API request pays for it. Timestamps travel as ISO text, read back as UTC.
const AUTH_SQL = `
  SELECT k.id, k."workspaceId", k.hash, k."revokedAt" IS NOT NULL AS revoked,
    to_char(k."lastUsedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastUsedAt", f.count AS failures
  FROM (SELECT 1) AS one
  LEFT JOIN "ApiKey" k ON k.hash = $1::text
  LEFT JOIN "AuthFailure" f ON f."clientKey" = $2::text AND f."windowStart" = $3::timestamp(3)`;

/**
 * The workspace a key belongs to. One round trip reads both the key (by its SHA-256, a unique index:
 * the lookup's timing depends on a hash the caller cannot steer, never on the secret's characters)
 * and this client's failures in the current window, kept in the database so every instance counts them.
 *
 * A client past FAILURE_LIMIT failed attempts is refused with rate_limited until its window ends,
 * whatever key it sends; a missing, malformed, unknown or revoked key is unauthorized and counted.
 */
export async function authenticateApiKey(db: Tx, input: { secret: string | null; clientKey: string; now?: Date }): Promise<ApiPrincipal> {
  const now = input.now ?? new Date();
  const windowStart = new Date(Math.floor(now.getTime() / (FAILURE_WINDOW_SECONDS * 1000)) * FAILURE_WINDOW_SECONDS * 1000);
  const clientKey = NAMESPACE + input.clientKey.slice(0, 200);
  const hash = input.secret !== null && looksLikeKey(input.secret) ? hashSecret(input.secret) : null;
  const rows = await hotQuery<Row>(db, "tally_api_key_auth", AUTH_SQL, [hash, clientKey, windowStart.toISOString()]);
  const row = rows[0];
  if ((row?.failures ?? 0) >= FAILURE_LIMIT) throw rateLimited(windowStart, now);
  if (!row?.id || !row.workspaceId || !hash || !sameHash(row.hash ?? "", hash) || row.revoked) {
    const count = await recordFailure(db, clientKey, windowStart, now);
    if (count > FAILURE_LIMIT) throw rateLimited(windowStart, now);
    throw input.secret === null
      ? new AppError("unauthorized", "Send a workspace API key as Authorization: Bearer <key>.")
      : new AppError("unauthorized", "This API key is invalid or has been revoked.");
  }
  if (!row.lastUsedAt || now.getTime() - new Date(row.lastUsedAt).getTime() >= LAST_USED_GRANULARITY_MS) {
    // Conditional, so instances racing on the same minute write once between them.
    await db.$executeRaw`
      UPDATE "ApiKey" SET "lastUsedAt" = ${now}
      WHERE id = ${row.id} AND ("lastUsedAt" IS NULL OR "lastUsedAt" <= ${new Date(now.getTime() - LAST_USED_GRANULARITY_MS)})`;
  }
  return { keyId: row.id, workspaceId: row.workspaceId };
}

async function recordFailure(db: Tx, clientKey: string, windowStart: Date, now: Date): Promise<number> {
  const rows = await db.$queryRaw<{ count: number }[]>`
    INSERT INTO "AuthFailure" ("clientKey", "windowStart", count) VALUES (${clientKey}, ${windowStart}, 1)
    ON CONFLICT ("clientKey", "windowStart") DO UPDATE SET count = "AuthFailure".count + 1
    RETURNING count`;
  const count = rows[0]?.count ?? 1;
  if (count === 1) {
    await db.$executeRaw`
      DELETE FROM "AuthFailure" WHERE "clientKey" LIKE ${NAMESPACE + "%"} AND "windowStart" < ${new Date(now.getTime() - KEEP_WINDOWS_MS)}`;
  }
  return count;
}

function rateLimited(windowStart: Date, now: Date): AppError {
  const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + FAILURE_WINDOW_SECONDS * 1000 - now.getTime()) / 1000));
  return new AppError("rate_limited", `Too many requests with invalid API keys; retry in ${retryAfter} s.`, { retryAfter });
}
