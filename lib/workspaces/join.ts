import type { Role } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/db";

/**
 * The one place a person joins an existing workspace (accepting an invitation), inside the caller's
 * transaction. Someone who is already a member keeps the role they have.
 *
 * Seats: once the `seats` gauge is tied to members, the claim goes here, in this same transaction
 * (claim one seat of the workspace with the membership's id as its idempotency key, and refuse the join
 * when the plan's seats are used up), and removing a member releases it in changeMember.
 */
export async function joinWorkspace(tx: Tx, input: { workspaceId: string; userId: string; role: Role }) {
  const existing = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } } });
  if (existing) return existing;
  return tx.membership.create({ data: { workspaceId: input.workspaceId, userId: input.userId, role: input.role } });
}
