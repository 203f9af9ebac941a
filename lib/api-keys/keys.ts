import type { Role } from "@/lib/generated/prisma/client";
import { inTransaction, type Client, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { can } from "@/lib/workspaces/access";
import { generateSecret } from "./secret";

export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Who created a key, and what they may do in the key's workspace today. */
export interface ApiKeyCreator {
  id: string;
  email: string;
  name: string | null;
  /** Their role in the workspace now; null when they are no longer a member. */
  role: Role | null;
}

export interface ApiKeyListItem extends ApiKeySummary {
  /** Null for keys made outside the pages (scripts, older keys) or whose creator's account is gone. */
  createdBy: ApiKeyCreator | null;
  /**
   * An active key whose creator has left the workspace or can no longer manage keys. The key keeps
   * working (it belongs to the workspace, and an integration must not break on a role change), but the
   * person who saw its secret is no longer trusted with it: the list flags it so an owner replaces it.
   */
  creatorLostAccess: boolean;
}

const summary = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

export const MAX_KEY_NAME = 80;
/** Keeps a workspace's list readable and bounds what one compromised admin account can mint. */
export const MAX_ACTIVE_KEYS = 50;

/** A key's name as given, trimmed; 400 when empty or longer than MAX_KEY_NAME. */
export function keyName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new AppError("invalid_request", "Give the key a name.", { field: "name" });
  if (name.length > MAX_KEY_NAME) throw new AppError("invalid_request", `Names are at most ${MAX_KEY_NAME} characters.`, { field: "name" });
  return name;
}

/**
 * Creates a key for the workspace. The secret is returned here and only here: the database keeps its
 * SHA-256, so a lost secret is replaced, never recovered. Creations in one workspace take turns (the
 * workspace row's lock), so two at once cannot both pass the count at MAX_ACTIVE_KEYS - 1.
 */
export async function createApiKey(db: Client, input: { workspaceId: string; name: string; createdById?: string | null }): Promise<ApiKeySummary & { secret: string }> {
  const name = keyName(input.name);
  return inTransaction(db, async (tx) => {
    const workspace = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Workspace" WHERE id = ${input.workspaceId} FOR UPDATE`;
    if (!workspace.length) throw new AppError("not_found", "Workspace not found.");
    const active = await tx.apiKey.count({ where: { workspaceId: input.workspaceId, revokedAt: null } });
    if (active >= MAX_ACTIVE_KEYS) {
      throw new AppError("conflict", `A workspace can have at most ${MAX_ACTIVE_KEYS} active keys; revoke one first.`, { field: "name" });
    }
    const { secret, prefix, hash } = generateSecret();
    const key = await tx.apiKey.create({
      data: { workspaceId: input.workspaceId, name, prefix, hash, createdById: input.createdById ?? null },
      select: summary,
    });
    return { ...key, secret };
  });
}

/** The workspace's keys, newest first, active before revoked, each with its creator and their standing today. */
export async function listApiKeys(db: Tx, workspaceId: string): Promise<ApiKeyListItem[]> {
  const keys = await db.apiKey.findMany({
    where: { workspaceId },
    select: { ...summary, createdBy: { select: { id: true, email: true, name: true, memberships: { where: { workspaceId }, select: { role: true } } } } },
    orderBy: { createdAt: "desc" },
  });
  const items = keys.map(({ createdBy, ...key }): ApiKeyListItem => {
    const role = createdBy?.memberships[0]?.role ?? null;
    const creator = createdBy ? { id: createdBy.id, email: createdBy.email, name: createdBy.name, role } : null;
    return { ...key, createdBy: creator, creatorLostAccess: !key.revokedAt && creator !== null && !(role && can(role, "billing")) };
  });
  return [...items.filter((k) => !k.revokedAt), ...items.filter((k) => k.revokedAt)];
}

/** The active keys one person created in a workspace: what removing or demoting them offers to revoke. */
export async function activeKeysCreatedBy(db: Tx, input: { workspaceId: string; userId: string }) {
  return db.apiKey.findMany({
    where: { workspaceId: input.workspaceId, createdById: input.userId, revokedAt: null },
    select: { id: true, name: true, prefix: true },
    orderBy: { createdAt: "asc" },
  });
}

/**
 * Revokes every active key `userId` created in the workspace, in the caller's transaction (the member's
 * removal or demotion), so the person and their keys lose access together. Returns how many were revoked.
 */
export async function revokeKeysCreatedBy(db: Tx, input: { workspaceId: string; userId: string; now?: Date }): Promise<number> {
  const { count } = await db.apiKey.updateMany({
    where: { workspaceId: input.workspaceId, createdById: input.userId, revokedAt: null },
    data: { revokedAt: input.now ?? new Date() },
  });
  return count;
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
