import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit, type Actor } from "@/lib/admin/audit";
import { keyName, MAX_KEY_NAME } from "@/lib/api-keys/keys";
import { generatePlatformSecret } from "./secret";

export interface PlatformKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const summary = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

/** The same rule as a workspace key's name (keyName). */
export const MAX_PLATFORM_KEY_NAME = MAX_KEY_NAME;
/** A key reaches every workspace: few are needed, and a short list is one an operator can still read. */
export const MAX_ACTIVE_PLATFORM_KEYS = 20;

/**
 * Creates a platform key, audited in the same transaction. The secret is returned here and only here:
 * the database keeps its SHA-256.
 */
export async function createPlatformKey(tx: Tx, actor: Actor, input: { name: string }): Promise<PlatformKeySummary & { secret: string }> {
  const name = keyName(input.name);
  // Serialises creators, so the cap holds when two operators create keys at once.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('platform-keys'))`;
  const active = await tx.platformKey.count({ where: { revokedAt: null } });
  if (active >= MAX_ACTIVE_PLATFORM_KEYS) {
    throw new AppError("conflict", `At most ${MAX_ACTIVE_PLATFORM_KEYS} platform keys can be active; revoke one first.`, { field: "name" });
  }
  const { secret, prefix, hash } = generatePlatformSecret();
  const key = await tx.platformKey.create({ data: { name, prefix, hash, createdById: actor.id ?? null }, select: summary });
  await recordAudit(tx, actor, { action: "platform_key.created", subjectType: "platform_key", subjectId: key.id, after: { name: key.name, prefix: key.prefix } });
  return { ...key, secret };
}

/** Every platform key, active first, newest first. */
export async function listPlatformKeys(db: Tx): Promise<PlatformKeySummary[]> {
  const keys = await db.platformKey.findMany({ select: summary, orderBy: { createdAt: "desc" } });
  return [...keys.filter((k) => !k.revokedAt), ...keys.filter((k) => k.revokedAt)];
}

/** Revokes a platform key (the next request with it is refused), audited. Revoking twice keeps the first time. */
export async function revokePlatformKey(tx: Tx, actor: Actor, input: { keyId: string; now?: Date }): Promise<PlatformKeySummary> {
  const key = await tx.platformKey.findUnique({ where: { id: input.keyId }, select: summary });
  if (!key) throw new AppError("not_found", "Platform key not found.");
  if (key.revokedAt) return key;
  const revoked = await tx.platformKey.update({ where: { id: key.id }, data: { revokedAt: input.now ?? new Date() }, select: summary });
  await recordAudit(tx, actor, { action: "platform_key.revoked", subjectType: "platform_key", subjectId: key.id, before: { revokedAt: null }, after: { name: key.name, prefix: key.prefix, revokedAt: revoked.revokedAt } });
  return revoked;
}
