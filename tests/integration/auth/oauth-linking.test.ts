// The OAuth linking rule: an identity joins an existing account only when both sides verified the email.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { registerUser } from "@/lib/auth/users";
import { resolveOAuthUser, type OAuthIdentity } from "@/lib/auth/oauth-users";
import { ensureCatalog, newOwner, uniqueEmail } from "../../helpers/factories";

const google = (email: string, emailVerified: boolean): OAuthIdentity => ({ provider: "google", providerAccountId: `g-${crypto.randomUUID()}`, email, emailVerified, name: "Victim" });
const accountsOf = (userId: string) => db().account.count({ where: { userId } });

describe("OAuth sign-in", () => {
  it("the takeover: an attacker's unverified password account with the victim's email is not joined to the victim's Google sign-in", async () => {
    await ensureCatalog();
    const email = uniqueEmail("victim");
    const attacker = await registerUser(db(), { email, password: "attacker-chose-this" });
    const outcome = await resolveOAuthUser(db(), google(email, true));
    expect(outcome).toEqual({ ok: false, refusal: "link_needs_verified_email" });
    expect(await accountsOf(attacker.user.id)).toBe(0);
    expect(await db().user.count({ where: { email } })).toBe(1);
  });

  it("a provider that does not vouch for the email does not join a verified account either", async () => {
    const { user } = await newOwner("verified");
    expect(await resolveOAuthUser(db(), google(user.email, false))).toEqual({ ok: false, refusal: "link_needs_verified_email" });
    expect(await accountsOf(user.id)).toBe(0);
  });

  it("both sides verified: joined to the existing account, and the same identity finds it again", async () => {
    const { user } = await newOwner("both");
    const identity = google(user.email.toUpperCase(), true);
    expect(await resolveOAuthUser(db(), identity)).toEqual({ ok: true, userId: user.id, created: false, linked: true });
    expect(await resolveOAuthUser(db(), identity)).toEqual({ ok: true, userId: user.id, created: false, linked: false });
    expect(await accountsOf(user.id)).toBe(1);
  });

  it("a new email: a new user with a workspace, verified only when the provider vouches for it", async () => {
    await ensureCatalog();
    for (const verified of [true, false]) {
      const email = uniqueEmail("new-oauth");
      const outcome = await resolveOAuthUser(db(), google(email, verified));
      expect(outcome).toMatchObject({ ok: true, created: true });
      const user = await db().user.findUniqueOrThrow({ where: { email }, include: { memberships: true, accounts: true } });
      expect([!!user.emailVerified, user.memberships.map((m) => m.role), user.accounts.length]).toEqual([verified, ["OWNER"], 1]);
    }
  });

  it("linking from account settings joins any identity to the signed-in user, but never one linked to someone else", async () => {
    const { user } = await newOwner("linker");
    const other = await newOwner("other");
    const identity = google(uniqueEmail("different-address"), false);
    expect(await resolveOAuthUser(db(), identity, { linkTo: user.id })).toEqual({ ok: true, userId: user.id, created: false, linked: true });
    expect(await resolveOAuthUser(db(), identity, { linkTo: other.user.id })).toEqual({ ok: false, refusal: "linked_to_another_account" });
    expect(await resolveOAuthUser(db(), identity)).toMatchObject({ ok: true, userId: user.id });
  });

  it("no email from the provider: refused", async () => {
    expect(await resolveOAuthUser(db(), { provider: "github", providerAccountId: `gh-${crypto.randomUUID()}`, email: null, emailVerified: false })).toEqual({ ok: false, refusal: "no_email" });
  });
});
