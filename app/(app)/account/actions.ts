"use server";

import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { z } from "zod";
import { signIn } from "@/lib/auth/config";
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
    if (e instanceof AuthError) return { ok: true, message: "Your password was changed and every session was signed out. Sign in again with the new password." };
    throw e;
  }
  return { ok: true, message: "Your password was changed. Every other session of the account was signed out." };
});
