import { redirect } from "next/navigation";
import { db } from "@/lib/db";
import { requireUserId } from "@/lib/server/session";
import { workspacesOf } from "@/lib/workspaces/access";

// Lands a signed-in person on their first workspace.
export default async function AppHome() {
  const userId = await requireUserId();
  const [first] = await workspacesOf(db(), userId);
  if (!first) redirect("/sign-up");
  redirect(`/w/${first.slug}/billing`);
}
