import type { PrismaClient } from "@/lib/generated/prisma/client";
import { onPlanChanged } from "@/lib/billing";
import { inTransaction } from "@/lib/db";
import { currentPlanVersion } from "@/lib/billing/plans";

/**
 * Takes out the owner's seat that createWorkspace claimed, for tests of the engine and the API that count
 * a workspace's events and windows from nothing and set its plan directly (without a plan change, a
 * seats window opened on Free would keep Free's quota).
 */
export async function withoutSeatClaims(db: PrismaClient, workspaceId: string) {
  // The app's transaction options: Prisma's default 2 s wait for a connection is too short when many
  // seeds share a small pool (one connection on the embedded database).
  await inTransaction(db, async (tx) => {
    await tx.usageEvent.deleteMany({ where: { workspaceId, feature: "seats" } });
    await tx.usageWindow.deleteMany({ where: { workspaceId, feature: "seats" } });
  });
}

/** Moves a workspace to a plan with room for more members (Pro: 10 seats), as an upgrade would. */
export async function roomForMembers(db: PrismaClient, workspaceId: string, planKey = "pro") {
  const plan = await currentPlanVersion(db, planKey);
  if (!plan) throw new Error(`no plan ${planKey}`);
  await db.subscription.update({ where: { workspaceId }, data: { planId: plan.id, status: "active" } });
  await onPlanChanged(db, { workspaceId });
}
