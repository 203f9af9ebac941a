"use server";

import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { signIn, signOut } from "@/lib/auth/config";
import { limiterAddress } from "@/lib/auth/client-address";
import { passwordSchema } from "@/lib/auth/schemas";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { formAction } from "@/lib/server/action";
import { requireSameOrigin } from "@/lib/server/origin";
import { currentUserId } from "@/lib/server/session";
import { acceptInvitation, signUpAndAccept } from "@/lib/workspaces/accept-invitation";
import { looksLikeInvitationToken } from "@/lib/workspaces/invitations";

const token = z.string().max(100);
const invitePath = (t: string) => (looksLikeInvitationToken(t) ? `/invite/${t}` : "/sign-in");

/** Accepting as the signed-in person (who must be the invited address): one click, never on a GET. */
export const acceptInvitationAction = formAction(z.object({ token }), async (input) => {
  const userId = await currentUserId();
  if (!userId) redirect(`/sign-in?next=${encodeURIComponent(invitePath(input.token))}`);
  const { workspaceSlug } = await acceptInvitation(db(), { token: input.token, userId });
  redirect(`/w/${workspaceSlug}/billing`);
});

/** Creating the invited address's account and accepting, then signing in. */
export const signUpAndAcceptAction = formAction(
  z.object({ token, name: z.string().trim().max(100).optional().default(""), password: passwordSchema }),
  async (input) => {
    const client = { address: limiterAddress(await headers(), env().TRUST_PROXY) };
    const { email, workspaceSlug } = await signUpAndAccept(db(), { token: input.token, name: input.name, password: input.password }, client);
    try {
      await signIn("credentials", { email, password: input.password, redirect: false });
    } catch (e) {
      // The account and the membership exist; only the automatic sign-in was refused.
      if (e instanceof AuthError) return { ok: false, message: "Your account is ready and you have joined the workspace. Sign in to open it." };
      throw e;
    }
    redirect(`/w/${workspaceSlug}/billing`);
  },
);

/** Signed in as someone else: sign out and come back to the same invitation. */
export async function switchAccountAction(form: FormData) {
  await requireSameOrigin();
  await signOut({ redirectTo: invitePath(String(form.get("token") ?? "")) });
}
