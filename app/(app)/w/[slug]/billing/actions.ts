"use server";

import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { env } from "@/lib/env";
import { formAction, type FormState } from "@/lib/server/action";
import { requireWorkspaceAction } from "@/lib/server/session";
import { firstRunDismissedCookie } from "./first-run-cookie";

/**
 * Hides the getting-started checklist of this workspace's billing overview, in this browser. Only a cookie: it is a
 * preference about a hint, and nothing in billing depends on it. Through formAction like every other form: same
 * origin only, and a workspace the user is not a member of is a form error, never a 500.
 */
const dismiss = formAction(z.object({ slug: z.string().min(1).max(100) }), async (input) => {
  const { workspace } = await requireWorkspaceAction(input.slug, "billing");
  (await cookies()).set(firstRunDismissedCookie(workspace.id), "1", { httpOnly: true, sameSite: "lax", secure: env().APP_URL.startsWith("https://"), path: "/", maxAge: 365 * 86_400 });
  revalidatePath(`/w/${input.slug}/billing`);
});

export async function dismissFirstRunAction(prev: FormState, form: FormData): Promise<FormState> {
  return dismiss(prev, form);
}
