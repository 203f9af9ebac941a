import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import { sendEmail, verifyEmailEmail } from "@/lib/email";
import { takeAttempt } from "./rate-limit";
import { consumeToken, issueToken, peekToken } from "./tokens";

// An address is verified by a link sent to it. Until then the account works, but a trial or a billing
// change is refused (resolveWorkspaceAccess with need "billing-change").

export const verifyUrl = (token: string) => new URL(`/verify-email?token=${encodeURIComponent(token)}`, env().APP_URL).toString();

/** Sends a verification link to the user's address; nothing when it is already verified. A failed send is logged, never thrown. */
export async function sendVerificationEmail(db: Db, userId: string, now = new Date()): Promise<"sent" | "already_verified"> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, emailVerified: true } });
  if (user.emailVerified) return "already_verified";
  const token = await issueToken(db, { userId, email: user.email, purpose: "verify_email", now });
  await sendEmail(await verifyEmailEmail({ to: user.email, url: verifyUrl(token) }));
  return "sent";
}

/** "Send the link again", for a signed-in user: limited per address (AppError rate_limited), since each one is an email. */
export async function resendVerificationEmail(db: Db, userId: string, client: { address: string | null; now?: Date }) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
  await takeAttempt(db, { action: "verify-email", email: user.email, address: client.address, now: client.now });
  return sendVerificationEmail(db, userId, client.now);
}

/** Whose address a verification link is for, without spending it (the page asks the person to confirm first). */
export const peekVerification = (db: Db, token: string, now?: Date) => peekToken(db, { token, purpose: "verify_email", now });

/** Spends a verification link and marks the address verified, or null when the link is no good. */
export async function verifyEmail(db: Db, token: string, now = new Date()): Promise<{ userId: string; email: string } | null> {
  return db.$transaction(async (tx) => {
    const spent = await consumeToken(tx, { token, purpose: "verify_email", now });
    if (!spent) return null;
    await tx.user.updateMany({ where: { id: spent.userId, email: spent.email, emailVerified: null }, data: { emailVerified: now } });
    return spent;
  });
}
