import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { generateSecret } from "./secret";

export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const summary = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

export const MAX_KEY_NAME = 80;
/** Keeps a workspace's list readable and bounds what one compromised admin account can mint. */
export const MAX_ACTIVE_KEYS = 50;

/**
 * Creates a key for the workspace. The secret is returned here and only here: the database keeps its
 * SHA-256, so a lost secret is replaced, never recovered.
 */
export async function createApiKey(db: Tx, input: { workspaceId: string; name: string; createdById?: string | null }): Promise<ApiKeySummary & { secret: string }> {
  const name = input.name.trim();
  if (!name) throw new AppError("invalid_request", "Give the key a name.", { field: "name" });
  if (name.length > MAX_KEY_NAME) throw new AppError("invalid_request", `Names are at most ${MAX_KEY_NAME} characters.`, { field: "name" });
  const active = await db.apiKey.count({ where: { workspaceId: input.workspaceId, revokedAt: null } });
  if (active >= MAX_ACTIVE_KEYS) {
    throw new AppError("conflict", `A workspace can have at most ${MAX_ACTIVE_KEYS} active keys; revoke one first.`, { field: "name" });
  }
  const { secret, prefix, hash } = generateSecret();
  const key = await db.apiKey.create({
    data: { workspaceId: input.workspaceId, name, prefix, hash, createdById: input.createdById ?? null },
    select: summary,
  });
  return { ...key, secret };
}

/** The workspace's keys, newest first, active before revoked. */
export async function listApiKeys(db: Tx, workspaceId: string): Promise<ApiKeySummary[]> {
  const keys = await db.apiKey.findMany({ where: { workspaceId }, select: summary, orderBy: { createdAt: "desc" } });
  return [...keys.filter((k) => !k.revokedAt), ...keys.filter((k) => k.revokedAt)];
}

/**
 * Revokes a key of this workspace; the next request with it is refused (authentication reads the row
 * every time). A key of another workspace is not found. Revoking twice keeps the first time.
 */
export async function revokeApiKey(db: Tx, input: { workspaceId: string; keyId: string; now?: Date }): Promise<ApiKeySummary> {
  const key = await db.apiKey.findFirst({ where: { id: input.keyId, workspaceId: input.workspaceId }, select: summary });
  if (!key) throw new AppError("not_found", "API key not found.");
  if (key.revokedAt) return key;
  await db.apiKey.updateMany({ where: { id: key.id, revokedAt: null }, data: { revokedAt: input.now ?? new Date() } });
  return db.apiKey.findUniqueOrThrow({ where: { id: key.id }, select: summary });
}
