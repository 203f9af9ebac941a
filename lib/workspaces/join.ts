import type { Role } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/db";
import { claimSeat } from "./seats";

/**
 * The one place a person joins an existing workspace (accepting an invitation), inside the caller's
 * transaction. Someone who is already a member keeps the role they have.
 *
 * The newcomer claims a seat of the workspace here, in this same transaction: when the plan's seats are
 * all taken the join is refused (quota_exhausted, saying the way out) and nothing is written. Removing
 * a member releases the seat (changeMember).
 */
export async function joinWorkspace(tx: Tx, input: { workspaceId: string; userId: string; role: Role }) {
  const existing = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } } });
  if (existing) return existing;
  const membership = await tx.membership.create({ data: { workspaceId: input.workspaceId, userId: input.userId, role: input.role } });
  await claimSeat(tx, { workspaceId: input.workspaceId, membershipId: membership.id });
  return membership;
}
