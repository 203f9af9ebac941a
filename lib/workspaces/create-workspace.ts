import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { FREE_PLAN_KEY } from "@/lib/billing/catalog";
import { currentPlanVersion } from "@/lib/billing/plans";
import { inTransaction } from "@/lib/db";
import { claimSeat } from "./seats";

/** URL-safe slug from a name, with a random suffix so two "Acme" workspaces never collide. */
export function slugFor(name: string): string {
  const base = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "workspace";
  return `${base}-${crypto.randomUUID().slice(0, 6)}`;
}

/** Creates a workspace on the Free plan, owned by `ownerId` (who takes its first seat), with its extras account. */
export async function createWorkspace(db: Tx, input: { name: string; ownerId: string }) {
  // One transaction (the caller's, or one of its own): the workspace never exists without its owner's seat.
  return inTransaction(db, async (tx) => {
    const free = await currentPlanVersion(tx, FREE_PLAN_KEY);
    if (!free) throw new AppError("billing_unavailable", "The plan catalog is not seeded (run npm run db:seed).");
    const workspace = await tx.workspace.create({
      data: {
        name: input.name,
        slug: await freeSlug(tx, input.name),
        memberships: { create: { userId: input.ownerId, role: "OWNER" } },
        subscription: { create: { planId: free.id, status: "free" } },
        extrasAccount: { create: {} },
      },
      include: { memberships: { select: { id: true } } },
    });
    const { memberships, ...created } = workspace;
    await claimSeat(tx, { workspaceId: created.id, membershipId: memberships[0]!.id });
    return created;
  });
}

/**
 * A slug no workspace has. Names that share a base (every name in a script other than Latin reduces to
 * "workspace") meet on the 24-bit suffix after a few thousand workspaces; a taken one is drawn again, here,
 * rather than failing the creation on the unique constraint.
 */
export async function freeSlug(tx: Tx, name: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const slug = slugFor(name);
    if (attempt >= 8 || !(await tx.workspace.findUnique({ where: { slug }, select: { id: true } }))) return slug;
  }
}
