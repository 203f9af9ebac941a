import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { FAILURE_LIMIT, FAILURE_WINDOW_SECONDS, type ApiKeyScope, type Credentials } from "@/lib/api-keys/authenticate";
import { lastUsedParams, NAMED_WORKSPACE_SQL, rateLimited, recordFailure, workspaceNotFound } from "@/lib/api-keys/authenticate";
import { hashSecret, sameHash } from "@/lib/api-keys/secret";
import { looksLikePlatformKey } from "./secret";

// Failures share the workspace keys' namespace: one limiter per client, whatever kind of key it guesses.
const NAMESPACE = "api:";

// The key, the client's failures and the named workspace in one SELECT, folded into the engine's first
// statement like a workspace key's (see WorkspaceScope), lastUsedAt advanced in it when due ($4, $5).
const PLATFORM_AUTH_SQL = `
  SELECT k.id, CASE WHEN k."revokedAt" IS NULL THEN w.id END AS "workspaceId", w.id AS "namedId",
    k.hash, k."revokedAt" IS NOT NULL AS revoked, f.count AS failures,
    CASE WHEN k."revokedAt" IS NULL AND (k."lastUsedAt" IS NULL OR k."lastUsedAt" <= $5::timestamp(3))
      THEN tally_touch_platform_key(k.id, $4::timestamp(3), $5::timestamp(3)) END AS touched
  FROM (SELECT 1) AS one
  LEFT JOIN "PlatformKey" k ON k.hash = $1::text
  LEFT JOIN "AuthFailure" f ON f."clientKey" = $2::text AND f."windowStart" = $3::timestamp(3)
  LEFT JOIN LATERAL (${NAMED_WORKSPACE_SQL("$6")}) w ON true`;

interface Row {
  id: string | null;
  workspaceId: string | null;
  namedId: string | null;
  hash: string | null;
  revoked: boolean | null;
  failures: number | null;
}

export const workspaceRequired = () =>
  new AppError("workspace_required", "A platform key acts for every workspace: name one with `workspace` (its Tally id or your externalId), in the JSON body of a POST or the query of a GET.", { field: "workspace" });

/**
 * The workspace a platform key names, as a scope the engine's first statement resolves. Bad keys are
 * counted and limited exactly as workspace keys are; a good key without `workspace` is 400
 * workspace_required, and one naming no workspace 404. `keyOnly` accepts a good key without a workspace
 * (for a request refused before it got to name one).
 */
export function platformKeyScope(db: Tx, input: Credentials & { keyOnly?: boolean }): ApiKeyScope {
  const now = input.now ?? new Date();
  const windowStart = new Date(Math.floor(now.getTime() / (FAILURE_WINDOW_SECONDS * 1000)) * FAILURE_WINDOW_SECONDS * 1000);
  const clientKey = NAMESPACE + input.clientKey.slice(0, 200);
  const hash = input.secret !== null && looksLikePlatformKey(input.secret) ? hashSecret(input.secret) : null;
  const named = input.workspace ?? null;
  const scope: ApiKeyScope = {
    name: "tally_pkey",
    key: `${hash ?? ""}\u0000${named ?? ""}`,
    sql: PLATFORM_AUTH_SQL,
    values: [hash, clientKey, windowStart.toISOString(), ...lastUsedParams(now), named],
    async resolve(found) {
      const row = found as unknown as Row;
      if (!row.id || !hash || !sameHash(row.hash ?? "", hash) || row.revoked) {
        if ((row.failures ?? 0) >= FAILURE_LIMIT) throw rateLimited(windowStart, now);
        const count = await recordFailure(db, clientKey, windowStart, now);
        if (count > FAILURE_LIMIT) throw rateLimited(windowStart, now);
        throw new AppError("unauthorized", "This platform key is invalid or has been revoked.");
      }
      if (named === null) {
        if (!input.keyOnly) throw workspaceRequired();
        scope.principal = { keyId: row.id, workspaceId: "", platform: true };
        return "";
      }
      if (!row.workspaceId) throw workspaceNotFound();
      scope.principal = { keyId: row.id, workspaceId: row.workspaceId, platform: true };
      return row.workspaceId;
    },
  };
  return scope;
}
