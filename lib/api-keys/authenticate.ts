import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { resolveWorkspace, type WorkspaceScope } from "@/lib/billing";
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
  /** A platform key (tk_platform_...), which may act for any workspace. */
  platform?: boolean;
}

interface Row {
  id: string | null;
  /** The key's workspace, or null when the key is unknown or revoked. */
  workspaceId: string | null;
  hash: string | null;
  revoked: boolean | null;
  failures: number | null;
}

/** Finds a workspace by Tally id or by the integrator's externalId ($n); the id wins if both match. */
export const NAMED_WORKSPACE_SQL = (param: string) =>
  `SELECT id FROM "Workspace" WHERE id = ${param}::text OR "externalId" = ${param}::text ORDER BY (id = ${param}::text) DESC LIMIT 1`;

export const workspaceNotFound = () => new AppError("not_found", "Workspace not found.", { field: "workspace" });

// The scope's SELECT (see WorkspaceScope): every API request pays for it, so it joins the request's own
// metering statement instead of being a round trip of its own. A good key's lastUsedAt is advanced in the
// same statement when due ($4 now, $5 the cutoff: last-used.sql).
const AUTH_SQL = `
  SELECT k.id, CASE WHEN k."revokedAt" IS NULL THEN k."workspaceId" END AS "workspaceId",
    k.hash, k."revokedAt" IS NOT NULL AS revoked, f.count AS failures,
    CASE WHEN k."revokedAt" IS NULL AND (k."lastUsedAt" IS NULL OR k."lastUsedAt" <= $5::timestamp(3))
      THEN tally_touch_api_key(k.id, $4::timestamp(3), $5::timestamp(3)) END AS touched
  FROM (SELECT 1) AS one
  LEFT JOIN "ApiKey" k ON k.hash = $1::text
  LEFT JOIN "AuthFailure" f ON f."clientKey" = $2::text AND f."windowStart" = $3::timestamp(3)`;

// The same, when the request names its workspace (`workspace`: a Tally id or an externalId): the key's
// workspace only when the name is its own, so a workspace key naming another workspace reaches nothing.
// A separate text (and statement name), so requests that name no workspace keep the plain one.
const AUTH_NAMED_SQL = `
  SELECT k.id, CASE WHEN k."revokedAt" IS NULL AND w.id = k."workspaceId" THEN k."workspaceId" END AS "workspaceId",
    k."workspaceId" AS "keyWorkspaceId", w.id AS "namedId",
    k.hash, k."revokedAt" IS NOT NULL AS revoked, f.count AS failures,
    CASE WHEN k."revokedAt" IS NULL AND w.id = k."workspaceId" AND (k."lastUsedAt" IS NULL OR k."lastUsedAt" <= $5::timestamp(3))
      THEN tally_touch_api_key(k.id, $4::timestamp(3), $5::timestamp(3)) END AS touched
  FROM (SELECT 1) AS one
  LEFT JOIN "ApiKey" k ON k.hash = $1::text
  LEFT JOIN "AuthFailure" f ON f."clientKey" = $2::text AND f."windowStart" = $3::timestamp(3)
  LEFT JOIN LATERAL (${NAMED_WORKSPACE_SQL("$6")}) w ON true`;

export interface Credentials {
  /** The bearer token as sent, or null when there was none. */
  secret: string | null;
  /** The workspace the request names (Tally id or externalId), if it names one. */
  workspace?: string | null;
  /** Who failures are counted against (the client's address). */
  clientKey: string;
  now?: Date;
}

/** A scope resolved by the key: hand it to the engine as the workspace; `principal` is set once it resolved. */
export interface ApiKeyScope extends WorkspaceScope {
  principal?: ApiPrincipal;
}

/**
 * The workspace a key belongs to, as a scope the engine's first statement resolves (one round trip for
 * the key and the work). The key is found by its SHA-256 (a unique index: the lookup's timing depends
 * on a hash the caller cannot steer, never on the secret's characters), with this client's failures in
 * the current window, kept in the database so every instance counts them.
 *
 * A missing, malformed, unknown or revoked key is unauthorized and counted against the client; past
 * FAILURE_LIMIT failures in a window the client's bad keys are refused with rate_limited until it ends.
 * A valid key is always accepted, whatever the count: the count is keyed by an address, and an address
 * is shared (NAT, an office, a proxy that is not trusted), so failures someone else sent from it must
 * never lock out the holder of a good key. Guessing a key stays hopeless (256 random bits); the limit
 * only keeps a flood of bad keys cheap.
 */
export function apiKeyScope(db: Tx, input: Credentials): ApiKeyScope {
  const now = input.now ?? new Date();
  const windowStart = new Date(Math.floor(now.getTime() / (FAILURE_WINDOW_SECONDS * 1000)) * FAILURE_WINDOW_SECONDS * 1000);
  const clientKey = NAMESPACE + input.clientKey.slice(0, 200);
  const hash = input.secret !== null && looksLikeKey(input.secret) ? hashSecret(input.secret) : null;
  const named = input.workspace ?? null;
  const scope: ApiKeyScope = {
    name: named === null ? "tally_key" : "tally_key_ws",
    key: named === null ? (hash ?? "") : `${hash ?? ""}\u0000${named}`,
    sql: named === null ? AUTH_SQL : AUTH_NAMED_SQL,
    values: [hash, clientKey, windowStart.toISOString(), ...lastUsedParams(now), ...(named === null ? [] : [named])],
    async resolve(found) {
      const row = found as unknown as Row & { keyWorkspaceId?: string | null; namedId?: string | null };
      // A good key naming a workspace that is not its own: as if that workspace did not exist.
      if (named !== null && row.id && hash && !row.revoked && sameHash(row.hash ?? "", hash) && row.namedId !== row.keyWorkspaceId) {
        throw workspaceNotFound();
      }
      if (!row.id || !row.workspaceId || !hash || !sameHash(row.hash ?? "", hash) || row.revoked) {
        // Already over the limit: refused without another write.
        if ((row.failures ?? 0) >= FAILURE_LIMIT) throw rateLimited(windowStart, now);
        const count = await recordFailure(db, clientKey, windowStart, now);
        if (count > FAILURE_LIMIT) throw rateLimited(windowStart, now);
        throw input.secret === null
          ? new AppError("unauthorized", "Send a workspace API key as Authorization: Bearer <key>.")
          : new AppError("unauthorized", "This API key is invalid or has been revoked.");
      }
      scope.principal = { keyId: row.id, workspaceId: row.workspaceId };
      return row.workspaceId;
    },
  };
  return scope;
}

/** The workspace whose key this is, on its own round trip: unauthorized (401) or rate_limited (429) otherwise. */
export async function authenticateApiKey(db: Tx, input: Credentials): Promise<ApiPrincipal> {
  const scope = apiKeyScope(db, input);
  await resolveWorkspace(db, scope);
  return scope.principal!;
}

/** The scope's parameters for the last-used update: now, and the cutoff before which lastUsedAt is due. */
export const lastUsedParams = (now: Date): [string, string] => [now.toISOString(), new Date(now.getTime() - LAST_USED_GRANULARITY_MS).toISOString()];

export async function recordFailure(db: Tx, clientKey: string, windowStart: Date, now: Date): Promise<number> {
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

export function rateLimited(windowStart: Date, now: Date): AppError {
  const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + FAILURE_WINDOW_SECONDS * 1000 - now.getTime()) / 1000));
  return new AppError("rate_limited", `Too many requests with invalid API keys; retry in ${retryAfter} s.`, { retryAfter });
}
