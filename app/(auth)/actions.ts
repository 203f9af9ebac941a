"use server";

import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { after } from "next/server";
import { redirect } from "next/navigation";
import { signIn, signOut } from "@/lib/auth/config";
import { limiterAddress } from "@/lib/auth/client-address";
import { describeWait } from "@/lib/auth/rate-limit";
import { signUpUser } from "@/lib/auth/users";
import { verifyEmail } from "@/lib/auth/verification";
import { safeNextPath } from "@/lib/auth/safe-next";
import { forgotPasswordSchema, resetPasswordSchema, signInSchema, signUpSchema, tokenFormSchema } from "@/lib/auth/schemas";
import { requestPasswordReset, resetPassword } from "@/lib/auth/passwords-reset";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { formAction, type FormState } from "@/lib/server/action";
import { requireSameOrigin } from "@/lib/server/origin";

/** The form's words for a sign-in Auth.js refused: when to retry if it was the rate limit. */
function signInRefusal(e: AuthError): string {
  if (isRateLimited(e)) return `Too many sign-in attempts. Try again in ${describeWait(e.retryAfter)}.`;
  return "Email or password is incorrect.";
}

const isRateLimited = (e: AuthError): e is AuthError & { retryAfter: number } =>
  (e as { code?: unknown }).code === "rate_limited" && typeof (e as { retryAfter?: unknown }).retryAfter === "number";

// The same answer whether or not the address has an account, and nobody is signed in: what happens next
// is in the email (a verification link, or "you already have an account").
export const signUpAction = formAction(signUpSchema, async (input): Promise<FormState> => {
  await signUpUser(db(), input, { address: limiterAddress(await headers(), env().TRUST_PROXY) });
  return { ok: true, message: `We sent an email to ${input.email}. Open the link in it to verify your address, then sign in.` };
});

export const signInAction = formAction(signInSchema, async (input, form): Promise<FormState> => {
  try {
    await signIn("credentials", { email: input.email, password: input.password, redirect: false });
  } catch (e) {
    if (e instanceof AuthError) return { ok: false, message: signInRefusal(e) };
    throw e;
  }
  // Only paths of this site, so the sign-in form cannot be used as an open redirect.
  redirect(safeNextPath(form.get("next"), env().APP_URL));
});

export const verifyEmailAction = formAction(tokenFormSchema, async (input): Promise<FormState> => {
  const verified = await verifyEmail(db(), input.token);
  if (!verified) return { ok: false, message: "This link has expired or was already used. Sign in and send a new one." };
  redirect("/verify-email?verified=1");
});

// The same answer whether or not the address has an account; the lookup and the email run after the answer.
export const requestPasswordResetAction = formAction(forgotPasswordSchema, async (input): Promise<FormState> => {
  await requestPasswordReset(db(), input.email, { address: limiterAddress(await headers(), env().TRUST_PROXY) }, (job) => after(job));
  return { ok: true, message: `If ${input.email} has a Tally account, we sent it a link to choose a new password. The link works once, for one hour.` };
});

export const resetPasswordAction = formAction(resetPasswordSchema, async (input): Promise<FormState> => {
  const done = await resetPassword(db(), input);
  if (!done) return { ok: false, message: "This link has expired or was already used. Ask for a new one." };
  redirect("/sign-in?reset=1");
});

export async function signOutAction() {
  // Not a formAction, so it checks the origin itself: another site must not be able to sign people out.
  await requireSameOrigin();
  // Auth.js's signOut event raises the user's session version, so the token ends on the server too.
  await signOut({ redirectTo: "/sign-in" });
}

export async function oauthSignInAction(form: FormData) {
  await requireSameOrigin();
  const provider = form.get("provider");
  if (provider !== "github" && provider !== "google") return;
  await signIn(provider, { redirectTo: "/app" });
}
