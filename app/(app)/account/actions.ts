"use server";

import { headers } from "next/headers";
import { z } from "zod";
import { limiterAddress } from "@/lib/auth/client-address";
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
