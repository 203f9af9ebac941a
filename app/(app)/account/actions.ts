"use server";

import { AuthError } from "next-auth";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { oauthProviders, signIn } from "@/lib/auth/config";
import { LINK_INTENT_COOKIE, LINK_INTENT_SECONDS, sealLinkIntent } from "@/lib/auth/link-intent";
import { sessionVersionOf } from "@/lib/auth/sessions";
import { requireSameOrigin } from "@/lib/server/origin";
import { limiterAddress } from "@/lib/auth/client-address";
import { changePassword } from "@/lib/auth/passwords-reset";
import { changePasswordSchema } from "@/lib/auth/schemas";
import { resendVerificationEmail } from "@/lib/auth/verification";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { formAction, type FormState } from "@/lib/server/action";
import { requireUserId } from "@/lib/server/session";

export const resendVerificationAction = formAction(z.object({}), async (): Promise<FormState> => {
  const userId = await requireUserId();
  const sent = await resendVerificationEmail(db(), userId, { address: limiterAddress(await headers(), env().TRUST_PROXY) });
  return sent === "sent" ? { ok: true, message: "We sent a new link. It works once, for 24 hours." } : { ok: true, message: "Your email address is already verified." };
});

export const changePasswordAction = formAction(changePasswordSchema, async (input): Promise<FormState> => {
  const userId = await requireUserId();
  await changePassword(db(), { userId, current: input.current, password: input.password }, { address: limiterAddress(await headers(), env().TRUST_PROXY) });
  // Every session of the account ended with the change, this one too: sign this browser in again with the new password.
  const { email } = await db().user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
  try {
    await signIn("credentials", { email, password: input.password, redirect: false });
  } catch (e) {
    if (e instanceof AuthError) redirect("/sign-in?reset=1");
    throw e;
  }
  // A new request, so the page reads the new session cookie (this request still carries the old one).
  redirect("/account?password=changed");
});

/**
 * "Link Google" / "Link GitHub" in account settings: the signed-in user's browser gets a short-lived signed
 * intent, then goes through the provider; coming back, the identity is linked to this user (lib/auth/config.ts).
 */
export async function linkProviderAction(form: FormData) {
  await requireSameOrigin();
  const userId = await requireUserId();
  const provider = form.get("provider");
  if ((provider !== "github" && provider !== "google") || !oauthProviders()[provider]) return;
  const sv = await sessionVersionOf(db(), userId);
  if (sv === null) return;
  const jar = await cookies();
  jar.set(LINK_INTENT_COOKIE, sealLinkIntent(env().AUTH_SECRET, { uid: userId, sv, provider }), {
    httpOnly: true, sameSite: "lax", secure: env().APP_URL.startsWith("https://"), path: "/", maxAge: LINK_INTENT_SECONDS,
  });
  await signIn(provider, { redirectTo: `/account?linked=${provider}` });
}
