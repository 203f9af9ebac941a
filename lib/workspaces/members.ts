import type { Role } from "@/lib/generated/prisma/client";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { revokeKeysCreatedBy } from "@/lib/api-keys/keys";
import { recordAudit, type Actor } from "@/lib/admin/audit";
import { releaseSeat } from "./seats";

/** The workspace's members, oldest first, each with the names of the active API keys they created in it. */
export async function listMembers(db: Db, workspaceId: string) {
  const rows = await db.membership.findMany({
    where: { workspaceId },
    include: {
      user: {
        select: {
          id: true,
          email: true,
          name: true,
          apiKeysCreated: { where: { workspaceId, revokedAt: null }, select: { name: true }, orderBy: { createdAt: "asc" } },
        },
      },
    },
    orderBy: [{ createdAt: "asc" }],
  });
  return rows.map(({ user: { apiKeysCreated, ...user }, ...m }) => ({ ...m, user, activeKeys: apiKeysCreated.map((k) => k.name) }));
}

/**
 * Changes a member's role or removes them, refusing to leave the workspace without an OWNER.
 * The owners' rows are locked first so two owners demoting each other at once cannot both succeed.
 *
 * API keys belong to the workspace and keep working when their creator leaves or is demoted, so an
 * integration never breaks on a role change by surprise. But the creator has seen the secrets, so the
 * confirmation offers `revokeKeys`: the keys they created are then revoked in this same transaction,
 * and the person and their keys lose access together. Keys left active are flagged in the key list.
 */
export async function changeMember(
  db: Db,
  input: { workspaceId: string; actorRole: Role; membershipId: string; role: Role | null; revokeKeys?: boolean; now?: Date; actor?: Actor },
) {
  return db.$transaction(async (tx) => {
    const owners = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Membership" WHERE "workspaceId" = ${input.workspaceId} AND role = 'OWNER' ORDER BY id FOR UPDATE`;
    const target = await tx.membership.findFirst({ where: { id: input.membershipId, workspaceId: input.workspaceId }, include: { user: { select: { email: true } } } });
    if (!target) throw new AppError("not_found", "Member not found.");
    if ((target.role === "OWNER" || input.role === "OWNER") && input.actorRole !== "OWNER") {
      throw new AppError("forbidden", "Only an owner can change an owner's role or make someone an owner.");
    }
    const losesOwner = target.role === "OWNER" && input.role !== "OWNER";
    if (losesOwner && owners.length <= 1) {
      throw new AppError("conflict", "A workspace needs at least one owner: make someone else an owner first.");
    }
    const revokedKeys = input.revokeKeys ? await revokeKeysCreatedBy(tx, { workspaceId: input.workspaceId, userId: target.userId, now: input.now }) : 0;
    // The seat goes back with the member, in the same transaction.
    if (input.role === null) await releaseSeat(tx, { workspaceId: input.workspaceId, membershipId: target.id, now: input.now });
    const membership =
      input.role === null ? await tx.membership.delete({ where: { id: target.id } }) : await tx.membership.update({ where: { id: target.id }, data: { role: input.role } });
    if (input.actor) {
      await recordAudit(tx, input.actor, {
        workspaceId: input.workspaceId, action: input.role === null ? "member.removed" : "member.role_changed", subjectType: "membership", subjectId: target.id,
        before: { email: target.user.email, role: target.role }, after: input.role === null ? { revokedKeys } : { role: input.role, revokedKeys },
      });
    }
    return { membership, email: target.user.email, removed: input.role === null, revokedKeys };
  });
}
