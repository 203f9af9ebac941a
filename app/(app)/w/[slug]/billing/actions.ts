"use server";

import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { env } from "@/lib/env";
import { requireWorkspaceAction } from "@/lib/server/session";
import { firstRunDismissedCookie } from "./first-run-cookie";

/**
 * Hides the getting-started checklist of this workspace's billing overview, in this browser. Only a cookie: it is a
 * preference about a hint, and nothing in billing depends on it.
 */
export async function dismissFirstRunAction(form: FormData): Promise<void> {
  const slug = z.string().min(1).max(100).safeParse(form.get("slug"));
  if (!slug.success) return;
  const { workspace } = await requireWorkspaceAction(slug.data, "billing");
  (await cookies()).set(firstRunDismissedCookie(workspace.id), "1", { httpOnly: true, sameSite: "lax", secure: env().APP_URL.startsWith("https://"), path: "/", maxAge: 365 * 86_400 });
  revalidatePath(`/w/${slug.data}/billing`);
}
