import type { Role } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * What an action needs: reading usage, managing billing's settings (API keys), changing billing (a trial,
 * checkout, plan changes, the portal, extras, auto top-up: also a verified email address), or managing members.
 */
export type Need = "read" | "billing" | "billing-change" | "members";

const allowed: Record<Need, Role[]> = {
  read: ["OWNER", "ADMIN", "MEMBER"],
  billing: ["OWNER", "ADMIN"],
  "billing-change": ["OWNER", "ADMIN"],
  members: ["OWNER", "ADMIN"],
};

export const can = (role: Role, need: Need) => allowed[need].includes(role);

/**
 * The one authorization check for workspace-scoped work. A workspace the user does not belong to is
 * reported as not found (404), so ids of other tenants reveal nothing; a member without the role gets 403.
 */
export async function resolveWorkspaceAccess(tx: Tx, input: { userId: string; workspace: { slug: string } | { id: string }; need: Need }) {
  const membership = await tx.membership.findFirst({
    where: { userId: input.userId, workspace: "slug" in input.workspace ? { slug: input.workspace.slug } : { id: input.workspace.id } },
    include: { workspace: true, user: { select: { emailVerified: true } } },
  });
  if (!membership) throw new AppError("not_found", "Workspace not found.");
  if (!can(membership.role, input.need)) {
    throw new AppError("forbidden", input.need === "members" ? "Only owners and admins can manage members." : "Only owners and admins can change billing.");
  }
  // Money moves only for people whose address is proven: a trial or a payment is tied to a reachable person.
  if (input.need === "billing-change" && !membership.user.emailVerified) {
    throw new AppError("email_unverified", "Verify your email address before starting a trial or changing billing: open the link we emailed you, or send it again from the notice at the top of the page.");
  }
  return { workspace: membership.workspace, role: membership.role };
}

export async function workspacesOf(tx: Tx, userId: string) {
  const rows = await tx.membership.findMany({ where: { userId }, include: { workspace: true }, orderBy: { createdAt: "asc" } });
  return rows.map((m) => ({ id: m.workspace.id, slug: m.workspace.slug, name: m.workspace.name, role: m.role }));
}
