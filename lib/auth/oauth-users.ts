import type { Db } from "@/lib/db";
import { createWorkspace } from "@/lib/workspaces/create-workspace";

// Who an OAuth sign-in is. An identity the app has seen before is its linked user. A new identity joins an
// existing account with the same email only when BOTH sides have verified that address: the provider (its
// email_verified claim, GitHub's verified primary email) and Tally (User.emailVerified). Otherwise anyone
// could take an account over: sign up with the victim's address and a password, then wait for the victim to
// "Sign in with Google" into the attacker's account (or the other way round, with an unverified provider
// email). Joining them anyway is still possible, on purpose: signed in with the password, from account
// settings (`linkTo`).

export interface OAuthIdentity {
  provider: string;
  providerAccountId: string;
  email?: string | null;
  /** The provider vouches that the person controls `email`. */
  emailVerified: boolean;
  name?: string | null;
}

export type OAuthRefusal =
  /** An account has this email, and the provider or Tally has not verified it: sign in with the password and link from settings. */
  | "link_needs_verified_email"
  /** The identity is linked to another Tally account than the one asking to link it. */
  | "linked_to_another_account"
  /** The provider shared no email address. */
  | "no_email";

export type OAuthOutcome = { ok: true; userId: string; created: boolean; linked: boolean } | { ok: false; refusal: OAuthRefusal };

/**
 * The Tally user for an OAuth identity: linked already; linked now to `linkTo` (a signed-in user who asked
 * for it in account settings); joined to the account with the same email when both sides verified it; or
 * a new user with their own workspace. Refused otherwise.
 */
export async function resolveOAuthUser(db: Db, identity: OAuthIdentity, opts: { linkTo?: string } = {}): Promise<OAuthOutcome> {
  const key = { provider: identity.provider, providerAccountId: identity.providerAccountId };
  const linked = await db.account.findUnique({ where: { provider_providerAccountId: key }, select: { userId: true } });
  if (linked) {
    if (opts.linkTo && linked.userId !== opts.linkTo) return { ok: false, refusal: "linked_to_another_account" };
    return { ok: true, userId: linked.userId, created: false, linked: false };
  }
  if (opts.linkTo) {
    await db.account.create({ data: { userId: opts.linkTo, type: "oauth", ...key } });
    return { ok: true, userId: opts.linkTo, created: false, linked: true };
  }
  const email = identity.email?.trim().toLowerCase();
  if (!email) return { ok: false, refusal: "no_email" };
  return db.$transaction(async (tx): Promise<OAuthOutcome> => {
    const existing = await tx.user.findUnique({ where: { email }, select: { id: true, emailVerified: true } });
    if (existing) {
      if (!(identity.emailVerified && existing.emailVerified)) return { ok: false, refusal: "link_needs_verified_email" };
      await tx.account.create({ data: { userId: existing.id, type: "oauth", ...key } });
      return { ok: true, userId: existing.id, created: false, linked: true };
    }
    const user = await tx.user.create({ data: { email, name: identity.name ?? null, emailVerified: identity.emailVerified ? new Date() : null } });
    await createWorkspace(tx, { name: `${identity.name || email.split("@")[0]}'s workspace`, ownerId: user.id });
    await tx.account.create({ data: { userId: user.id, type: "oauth", ...key } });
    return { ok: true, userId: user.id, created: true, linked: true };
  });
}

/** What the sign-in page says for each refusal (`/sign-in?error=<refusal>`), and account settings after a link attempt. */
export const oauthRefusalMessages: Record<OAuthRefusal, string> = {
  link_needs_verified_email:
    "That sign-in was not joined to the Tally account with the same email: we join them only when both the provider and Tally have verified the address. Sign in with your email and password (or reset the password with \"Forgot your password?\"), then link the provider from Account settings.",
  linked_to_another_account: "That provider account is already linked to another Tally account, so it was not linked to this one.",
  no_email: "The provider did not share an email address, so we could not sign you in with it.",
};
