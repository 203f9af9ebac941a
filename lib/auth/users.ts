import type { Db } from "@/lib/db";
import { AppError, isAppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { sendEmail, signUpAttemptEmail } from "@/lib/email";
import { createWorkspace } from "@/lib/workspaces/create-workspace";
import { hashPassword, verifyPassword } from "./passwords";
import { releaseAttempt, takeAttempt } from "./rate-limit";
import { sendVerificationEmail } from "./verification";

/** Who is asking: the client address when one can be trusted, else null (then only the per-email limit applies). */
export interface Client {
  address: string | null;
  now?: Date;
}

/**
 * Sign-up from the form. Rate limited first (AppError rate_limited, before any hashing). It answers the same
 * whether or not the address has an account, and signs nobody in: a new address gets its account and a
 * verification link; an address with an account gets an email saying someone tried, with sign-in and reset
 * links, and the account is left as it was. Both paths hash the password, so they take about as long.
 */
export async function signUpUser(db: Db, input: { email: string; password: string; name?: string; workspace?: string }, client: Client): Promise<void> {
  await takeAttempt(db, { action: "sign-up", email: input.email, address: client.address, now: client.now });
  const existing = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (!existing) {
    try {
      const created = await registerUser(db, input);
      await sendVerificationEmail(db, created.user.id, client.now);
      return;
    } catch (e) {
      // Created by a request racing this one: the address has an account now, answered as below.
      if (!(isAppError(e) && e.code === "conflict")) throw e;
    }
  } else {
    await hashPassword(input.password);
  }
  const appUrl = env().APP_URL;
  await sendEmail(await signUpAttemptEmail({ to: input.email, signInUrl: new URL("/sign-in", appUrl).toString(), resetUrl: new URL("/forgot-password", appUrl).toString() }));
}

/**
 * Creates a user and the workspace they own, in one transaction. `emailVerified` only for accounts whose
 * address is known good without a link (the development demo login, seeded test users).
 */
export async function registerUser(db: Db, input: { email: string; password: string; name?: string; workspace?: string; emailVerified?: Date }) {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email: input.email, name: input.name || null, passwordHash, emailVerified: input.emailVerified ?? null } });
      const label = input.workspace || `${input.name || input.email.split("@")[0]}'s workspace`;
      const workspace = await createWorkspace(tx, { name: label, ownerId: user.id });
      return { user, workspace };
    });
  } catch (e) {
    if ((e as { code?: string }).code === "P2002") throw new AppError("conflict", "An account with this email already exists.", { field: "email" });
    throw e;
  }
}

/**
 * The user for an email + password pair, or null. Runs the hash even for unknown emails so timing says
 * nothing. Rate limited: past the limit it throws AppError rate_limited without hashing; a success
 * gives its attempt back, so only failures count.
 */
export async function authenticate(db: Db, email: string, password: string, client: Client) {
  const attempt = await takeAttempt(db, { action: "sign-in", email, address: client.address, now: client.now });
  const user = await db.user.findUnique({ where: { email } });
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!(user && user.passwordHash && ok)) return null;
  await releaseAttempt(db, attempt);
  return user;
}

const DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";
