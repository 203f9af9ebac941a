"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { signIn, signOut } from "@/lib/auth/config";
import { registerUser } from "@/lib/auth/users";
import { safeNextPath } from "@/lib/auth/safe-next";
import { signInSchema, signUpSchema } from "@/lib/auth/schemas";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { formAction, type FormState } from "@/lib/server/action";
import { requireSameOrigin } from "@/lib/server/origin";

export const signUpAction = formAction(signUpSchema, async (input) => {
  const { workspace } = await registerUser(db(), input);
  await signIn("credentials", { email: input.email, password: input.password, redirect: false });
  redirect(`/w/${workspace.slug}/billing`);
});

export const signInAction = formAction(signInSchema, async (input, form): Promise<FormState> => {
  try {
    await signIn("credentials", { email: input.email, password: input.password, redirect: false });
  } catch (e) {
    if (e instanceof AuthError) return { ok: false, message: "Email or password is incorrect." };
    throw e;
  }
  // Only paths of this site, so the sign-in form cannot be used as an open redirect.
  redirect(safeNextPath(form.get("next"), env().APP_URL));
});

export async function signOutAction() {
  // Not a formAction, so it checks the origin itself: another site must not be able to sign people out.
  await requireSameOrigin();
  await signOut({ redirectTo: "/sign-in" });
}

export async function oauthSignInAction(form: FormData) {
  await requireSameOrigin();
  const provider = form.get("provider");
  if (provider !== "github" && provider !== "google") return;
  await signIn(provider, { redirectTo: "/app" });
}
