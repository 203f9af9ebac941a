import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { passwordChangedEmail, passwordResetEmail, sendEmail } from "@/lib/email";
import { hashPassword, verifyPassword } from "./passwords";
import { releaseAttempt, takeAttempt } from "./rate-limit";
import { consumeToken, issueToken, peekToken } from "./tokens";
import type { Client } from "./users";

// Password reset by an emailed link, and a password change by a signed-in user. Either way the new password
// ends every session the account had (sessionVersion), and the old password stops working.

const appLink = (path: string) => new URL(path, env().APP_URL).toString();
export const resetUrl = (token: string) => appLink(`/reset-password?token=${encodeURIComponent(token)}`);

/**
 * "Forgot password": the same answer whether or not the address has an account. Rate limited per address
 * and client first (AppError rate_limited); then `defer` runs the lookup and the email, which the form's
 * action hands to after the response, so how long the answer takes says nothing either.
 */
export async function requestPasswordReset(db: Db, email: string, client: Client, defer: (job: () => Promise<void>) => void | Promise<void> = (job) => job()) {
  await takeAttempt(db, { action: "password-reset", email, address: client.address, now: client.now });
  await defer(async () => {
    const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true } });
    if (!user) return; // nobody to tell: mail only ever goes to addresses that have an account
    const token = await issueToken(db, { userId: user.id, email: user.email, purpose: "reset_password", now: client.now });
    await sendEmail(await passwordResetEmail({ to: user.email, url: resetUrl(token) }));
  });
}

/** Whose password a reset link would change, without spending it (the page shows the form only for a good link). */
export const peekPasswordReset = (db: Db, token: string, now?: Date) => peekToken(db, { token, purpose: "reset_password", now });

/**
 * Sets a new password with a reset link: the link is spent, the password replaced and every session ended, in
 * one transaction. The link proves the person reads the address, so an unverified address becomes verified.
 * Null when the link is no good (checked before hashing, so a made-up token costs no hash).
 */
export async function resetPassword(db: Db, input: { token: string; password: string; now?: Date }): Promise<{ userId: string; email: string } | null> {
  const now = input.now ?? new Date();
  if (!(await peekPasswordReset(db, input.token, now))) return null;
  const passwordHash = await hashPassword(input.password);
  const done = await db.$transaction(async (tx) => {
    const spent = await consumeToken(tx, { token: input.token, purpose: "reset_password", now });
    if (!spent) return null;
    const user = await tx.user.findUniqueOrThrow({ where: { id: spent.userId }, select: { emailVerified: true } });
    await tx.user.update({ where: { id: spent.userId }, data: { passwordHash, sessionVersion: { increment: 1 }, emailVerified: user.emailVerified ?? now } });
    return spent;
  });
  if (done) await sendEmail(await passwordChangedEmail({ to: done.email, resetUrl: appLink("/forgot-password") }));
  return done;
}

/**
 * Account settings: a new password for a signed-in user who knows the current one. Wrong guesses count like
 * sign-in failures (a stolen session must not become a password oracle). Ends every session; the caller
 * signs the current browser in again with the new password.
 */
export async function changePassword(db: Db, input: { userId: string; current: string; password: string }, client: Client): Promise<void> {
  const user = await db.user.findUniqueOrThrow({ where: { id: input.userId }, select: { email: true, passwordHash: true } });
  if (!user.passwordHash) throw new AppError("invalid_request", "This account has no password yet. Use \"Forgot your password?\" on the sign-in page to set one by email.");
  const attempt = await takeAttempt(db, { action: "sign-in", email: user.email, address: client.address, now: client.now });
  if (!(await verifyPassword(input.current, user.passwordHash))) throw new AppError("invalid_request", "Your current password is not right.", { field: "current" });
  await releaseAttempt(db, attempt);
  const passwordHash = await hashPassword(input.password);
  await db.user.update({ where: { id: input.userId }, data: { passwordHash, sessionVersion: { increment: 1 } } });
  await sendEmail(await passwordChangedEmail({ to: user.email, resetUrl: appLink("/forgot-password") }));
}
