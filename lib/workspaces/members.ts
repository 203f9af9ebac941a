import type { Role } from "@/lib/generated/prisma/client";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";

export async function listMembers(db: Db, workspaceId: string) {
  return db.membership.findMany({
    where: { workspaceId },
    include: { user: { select: { id: true, email: true, name: true } } },
    orderBy: [{ createdAt: "asc" }],
  });
}

/** Adds an existing user by email. Only an OWNER may add another OWNER. */
export async function addMember(db: Db, input: { workspaceId: string; actorRole: Role; email: string; role: Role }) {
  if (input.role === "OWNER" && input.actorRole !== "OWNER") throw new AppError("forbidden", "Only an owner can add another owner.");
  const user = await db.user.findUnique({ where: { email: input.email } });
  if (!user) throw new AppError("not_found", "No Tally account uses this email; ask them to sign up first.", { field: "email" });
  try {
    return await db.membership.create({ data: { workspaceId: input.workspaceId, userId: user.id, role: input.role } });
  } catch (e) {
    if ((e as { code?: string }).code === "P2002") throw new AppError("conflict", "This person is already a member.", { field: "email" });
    throw e;
  }
}

/**
 * Changes a member's role or removes them, refusing to leave the workspace without an OWNER.
 * The owners' rows are locked first so two owners demoting each other at once cannot both succeed.
 */
export async function changeMember(db: Db, input: { workspaceId: string; actorRole: Role; membershipId: string; role: Role | null }) {
  return db.$transaction(async (tx) => {
    const owners = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Membership" WHERE "workspaceId" = ${input.workspaceId} AND role = 'OWNER' ORDER BY id FOR UPDATE`;
    const target = await tx.membership.findFirst({ where: { id: input.membershipId, workspaceId: input.workspaceId } });
    if (!target) throw new AppError("not_found", "Member not found.");
    if ((target.role === "OWNER" || input.role === "OWNER") && input.actorRole !== "OWNER") {
      throw new AppError("forbidden", "Only an owner can change an owner's role or make someone an owner.");
    }
    const losesOwner = target.role === "OWNER" && input.role !== "OWNER";
    if (losesOwner && owners.length <= 1) {
      throw new AppError("conflict", "A workspace needs at least one owner: make someone else an owner first.");
    }
    if (input.role === null) return tx.membership.delete({ where: { id: target.id } });
    return tx.membership.update({ where: { id: target.id }, data: { role: input.role } });
  });
}
