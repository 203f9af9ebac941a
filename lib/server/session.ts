// Framework glue for pages and server actions: who is signed in, and may they touch this workspace.
import { notFound, redirect } from "next/navigation";
import { auth } from "@/lib/auth/config";
import type { Actor } from "@/lib/admin/audit";
import { db } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { resolveWorkspaceAccess, type Need } from "@/lib/workspaces/access";

export async function currentUserId(): Promise<string | null> {
  const session = await auth();
  return session?.user?.id ?? null;
}

export async function requireUserId(): Promise<string> {
  const id = await currentUserId();
  if (!id) redirect("/sign-in");
  return id;
}

/** For pages: the workspace and the viewer's role, or a 404 when the viewer is not a member. */
export async function requireWorkspacePage(slug: string) {
  const userId = await requireUserId();
  try {
    return { userId, ...(await resolveWorkspaceAccess(db(), { userId, workspace: { slug }, need: "read" })) };
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  }
}

/** For server actions: throws AppError not_found / forbidden, which the action wrapper turns into a form error. */
export async function requireWorkspaceAction(slug: string, need: Need) {
  const userId = await currentUserId();
  if (!userId) redirect("/sign-in");
  return { userId, ...(await resolveWorkspaceAccess(db(), { userId, workspace: { slug }, need })) };
}

/** The signed-in member as the audit log records them. */
export async function memberActor(userId: string): Promise<Actor> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { email: true } });
  return { kind: "member", id: userId, email: user?.email ?? null };
}
