// Members join by invitation only: each rule of inviting, resending, revoking and accepting.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { authenticate } from "@/lib/auth/users";
import { acceptInvitation, signUpAndAccept, viewInvitation } from "@/lib/workspaces/accept-invitation";
import { INVITATION_DAYS, hashInvitationToken, inviteMember, listInvitations, resendInvitation, revokeInvitation } from "@/lib/workspaces/invitations";
import { changeMember } from "@/lib/workspaces/members";
import { codeOf } from "../../helpers/app-errors";
import { addMembership, newOwner as newFreeOwner, uniqueEmail } from "../../helpers/factories";
import { roomForMembers } from "../../helpers/seats";

const DAY = 24 * 3600_000;

// These rules are about invitations, not seats (tests/integration/workspaces/seats.test.ts): every
// workspace here is on a plan with room for its invitees.
async function newOwner(label = "owner") {
  const owner = await newFreeOwner(label);
  await roomForMembers(db(), owner.workspace.id);
  return owner;
}
const later = (ms: number) => new Date(Date.now() + ms);
const client = () => ({ address: `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });
const messageOf = (p: Promise<unknown>) => p.then(() => "ok", (e: Error) => e.message);

async function ownerInvites(email: string, role: "OWNER" | "ADMIN" | "MEMBER" = "MEMBER") {
  const owner = await newOwner("owner");
  const sent = await inviteMember(db(), { workspaceId: owner.workspace.id, actorId: owner.user.id, actorRole: "OWNER", email, role });
  return { owner, ws: owner.workspace.id, ...sent };
}

const membershipOf = (workspaceId: string, userId: string) => db().membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId } } });

describe("inviting", () => {
  it("adds nobody and answers alike whether or not the address has an account", async () => {
    const existing = await newOwner("existing");
    const owner = await newOwner("owner");
    const input = { workspaceId: owner.workspace.id, actorId: owner.user.id, actorRole: "OWNER" as const, role: "MEMBER" as const };
    const a = await inviteMember(db(), { ...input, email: existing.user.email });
    const b = await inviteMember(db(), { ...input, email: uniqueEmail("nobody") });
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(Object.keys(a.invitation).sort()).toEqual(Object.keys(b.invitation).sort());
    expect(await db().membership.count({ where: { workspaceId: owner.workspace.id } })).toBe(1);
    expect(await membershipOf(owner.workspace.id, existing.user.id)).toBeNull();
  });

  it("stores only a hash of the link's secret, and the address in lower case", async () => {
    const email = uniqueEmail("Mixed");
    const { invitation, token } = await ownerInvites(email.toUpperCase());
    const row = await db().invitation.findUniqueOrThrow({ where: { id: invitation.id } });
    expect(row.tokenHash).toBe(hashInvitationToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.email).toBe(email.toLowerCase());
    expect(row.expiresAt.getTime() - row.sentAt.getTime()).toBe(INVITATION_DAYS * DAY);
  });

  it("lets only an owner invite an owner, and nobody but owners and admins invite at all", async () => {
    const owner = await newOwner("owner");
    const admin = await newOwner("admin");
    const member = await newOwner("member");
    await addMembership(owner.workspace.id, admin.user.id, "ADMIN");
    await addMembership(owner.workspace.id, member.user.id, "MEMBER");
    const as = (actorId: string, actorRole: "OWNER" | "ADMIN" | "MEMBER", role: "OWNER" | "ADMIN" | "MEMBER") =>
      codeOf(inviteMember(db(), { workspaceId: owner.workspace.id, actorId, actorRole, email: uniqueEmail("x"), role }));
    expect(await as(admin.user.id, "ADMIN", "OWNER")).toBe("forbidden");
    expect(await as(admin.user.id, "ADMIN", "ADMIN")).toBe("ok");
    expect(await as(member.user.id, "MEMBER", "MEMBER")).toBe("forbidden");
    expect(await as(owner.user.id, "OWNER", "OWNER")).toBe("ok");
  });

  it("refuses someone who is already a member", async () => {
    const owner = await newOwner("owner");
    expect(await messageOf(inviteMember(db(), { workspaceId: owner.workspace.id, actorId: owner.user.id, actorRole: "OWNER", email: owner.user.email, role: "MEMBER" }))).toBe(
      `${owner.user.email} is already a member of this workspace.`,
    );
  });

  it("inviting the same address again replaces the pending invitation's link and role", async () => {
    const email = uniqueEmail("twice");
    const first = await ownerInvites(email, "MEMBER");
    const second = await inviteMember(db(), { workspaceId: first.ws, actorId: first.owner.user.id, actorRole: "OWNER", email, role: "ADMIN" });
    expect(second.invitation.id).toBe(first.invitation.id);
    expect(await db().invitation.count({ where: { workspaceId: first.ws } })).toBe(1);
    expect((await viewInvitation(db(), first.token)).state).toBe("unknown");
    expect(await viewInvitation(db(), second.token)).toMatchObject({ state: "pending", role: "ADMIN", email });
  });
});

describe("accepting", () => {
  it("as the invited address, signed in: creates the membership with the invited role, once", async () => {
    const invitee = await newOwner("invitee");
    const { ws, token, invitation } = await ownerInvites(invitee.user.email, "ADMIN");
    expect(await acceptInvitation(db(), { token, userId: invitee.user.id })).toMatchObject({ role: "ADMIN" });
    expect((await membershipOf(ws, invitee.user.id))?.role).toBe("ADMIN");
    expect(await db().invitation.findUniqueOrThrow({ where: { id: invitation.id } })).toMatchObject({ status: "accepted", acceptedById: invitee.user.id });
    expect(await messageOf(acceptInvitation(db(), { token, userId: invitee.user.id }))).toMatch(/^This invitation has already been used\./);
    expect((await viewInvitation(db(), token)).state).toBe("accepted");
  });

  it("refuses anyone signed in as another address, and adds them to nothing", async () => {
    const other = await newOwner("other");
    const { ws, token } = await ownerInvites(uniqueEmail("invited"));
    expect(await codeOf(acceptInvitation(db(), { token, userId: other.user.id }))).toBe("forbidden");
    expect(await membershipOf(ws, other.user.id)).toBeNull();
    expect((await viewInvitation(db(), token)).state).toBe("pending");
  });

  it("works once when the same link is used twice at the same moment", async () => {
    const invitee = await newOwner("racer");
    const { ws, token } = await ownerInvites(invitee.user.email);
    const results = await Promise.all([0, 1, 2].map(() => codeOf(acceptInvitation(db(), { token, userId: invitee.user.id }))));
    expect(results.sort()).toEqual(["conflict", "conflict", "ok"]);
    expect(await db().membership.count({ where: { workspaceId: ws, userId: invitee.user.id } })).toBe(1);
  });

  it("refuses an expired link with its date, and a resend gives a new link that works", async () => {
    const invitee = await newOwner("late");
    const { ws, owner, token, invitation } = await ownerInvites(invitee.user.email);
    const now = later(INVITATION_DAYS * DAY + 1000);
    expect(await messageOf(acceptInvitation(db(), { token, userId: invitee.user.id, now }))).toMatch(/^This invitation expired on [A-Z][a-z]+ \d{1,2}, \d{4}\. Ask /);
    expect((await listInvitations(db(), ws, now)).map((i) => i.status)).toEqual(["expired"]);
    const fresh = await resendInvitation(db(), { workspaceId: ws, invitationId: invitation.id, actorId: owner.user.id, actorRole: "OWNER", now });
    expect((await viewInvitation(db(), token, now)).state).toBe("unknown");
    await acceptInvitation(db(), { token: fresh.token, userId: invitee.user.id, now });
    expect(await membershipOf(ws, invitee.user.id)).not.toBeNull();
  });

  it("refuses a revoked link; an accepted invitation can no longer be revoked or resent", async () => {
    const invitee = await newOwner("revoked");
    const { ws, owner, token, invitation } = await ownerInvites(invitee.user.email);
    await revokeInvitation(db(), { workspaceId: ws, invitationId: invitation.id, actorRole: "ADMIN" });
    expect(await messageOf(acceptInvitation(db(), { token, userId: invitee.user.id }))).toBe("This invitation was revoked by the workspace. Ask the person who invited you for a new one.");
    expect(await membershipOf(ws, invitee.user.id)).toBeNull();
    expect(await listInvitations(db(), ws)).toEqual([]);

    const again = await inviteMember(db(), { workspaceId: ws, actorId: owner.user.id, actorRole: "OWNER", email: invitee.user.email, role: "MEMBER" });
    await acceptInvitation(db(), { token: again.token, userId: invitee.user.id });
    expect(await codeOf(revokeInvitation(db(), { workspaceId: ws, invitationId: again.invitation.id, actorRole: "OWNER" }))).toBe("conflict");
    expect(await codeOf(resendInvitation(db(), { workspaceId: ws, invitationId: again.invitation.id, actorId: owner.user.id, actorRole: "OWNER" }))).toBe("conflict");
  });

  it("refuses when the person who sent it can no longer invite (removed, or an owner invitation from someone no longer owner)", async () => {
    const owner = await newOwner("owner");
    const admin = await newOwner("admin");
    const adminMembership = await addMembership(owner.workspace.id, admin.user.id, "ADMIN");
    const invitee = await newOwner("invitee");
    const { token } = await inviteMember(db(), { workspaceId: owner.workspace.id, actorId: admin.user.id, actorRole: "ADMIN", email: invitee.user.email, role: "MEMBER" });
    await changeMember(db(), { workspaceId: owner.workspace.id, actorRole: "OWNER", membershipId: adminMembership.id, role: null });
    expect(await messageOf(acceptInvitation(db(), { token, userId: invitee.user.id }))).toMatch(/^This invitation is no longer valid: the person who sent it can no longer invite members\./);

    const second = await newOwner("second");
    const secondMembership = await addMembership(owner.workspace.id, second.user.id, "OWNER");
    const ownerInvite = await inviteMember(db(), { workspaceId: owner.workspace.id, actorId: second.user.id, actorRole: "OWNER", email: invitee.user.email, role: "OWNER" });
    await changeMember(db(), { workspaceId: owner.workspace.id, actorRole: "OWNER", membershipId: secondMembership.id, role: "ADMIN" });
    expect(await codeOf(acceptInvitation(db(), { token: ownerInvite.token, userId: invitee.user.id }))).toBe("conflict");
    expect(await membershipOf(owner.workspace.id, invitee.user.id)).toBeNull();
  });

  it("refuses a mangled or unknown link without touching the database's rows", async () => {
    const invitee = await newOwner("nobody");
    expect(await codeOf(acceptInvitation(db(), { token: "x".repeat(43), userId: invitee.user.id }))).toBe("not_found");
    expect(await codeOf(acceptInvitation(db(), { token: "'; DROP TABLE x; --", userId: invitee.user.id }))).toBe("not_found");
    expect((await viewInvitation(db(), "short")).state).toBe("unknown");
  });
});

describe("signing up through the link", () => {
  it("creates the account for the invited address and the membership in one go; the password then signs in", async () => {
    const email = uniqueEmail("newcomer");
    const { ws, token } = await ownerInvites(email, "MEMBER");
    expect(await viewInvitation(db(), token)).toMatchObject({ state: "pending", hasAccount: false });
    const result = await signUpAndAccept(db(), { token, name: "New Comer", password: "correct-horse-battery" }, client());
    expect(result.email).toBe(email);
    const user = await db().user.findUniqueOrThrow({ where: { email } });
    expect(user.name).toBe("New Comer");
    // The emailed link proves the address: no second verification email is needed.
    expect(user.emailVerified).not.toBeNull();
    expect((await membershipOf(ws, user.id))?.role).toBe("MEMBER");
    expect((await authenticate(db(), email, "correct-horse-battery", client()))?.id).toBe(user.id);
    expect(await codeOf(signUpAndAccept(db(), { token, name: "Again", password: "correct-horse-battery" }, client()))).toBe("conflict");
  });

  it("tells an address that already has an account to sign in, and creates nothing", async () => {
    const existing = await newOwner("existing");
    const { ws, token } = await ownerInvites(existing.user.email);
    expect(await viewInvitation(db(), token)).toMatchObject({ hasAccount: true });
    expect(await messageOf(signUpAndAccept(db(), { token, name: "", password: "another-password-1" }, client()))).toBe(
      `An account already uses ${existing.user.email}. Sign in with it to accept the invitation.`,
    );
    expect(await membershipOf(ws, existing.user.id)).toBeNull();
  });

  it("refuses an expired link before creating anything", async () => {
    const email = uniqueEmail("expired");
    const { token } = await ownerInvites(email);
    const now = later(INVITATION_DAYS * DAY + 1000);
    expect(await codeOf(signUpAndAccept(db(), { token, name: "", password: "correct-horse-battery" }, { ...client(), now }))).toBe("conflict");
    expect(await db().user.count({ where: { email } })).toBe(0);
  });
});

describe("managing invitations", () => {
  it("another workspace's invitation is not found for resend or revoke", async () => {
    const { invitation } = await ownerInvites(uniqueEmail("theirs"));
    const other = await newOwner("other");
    expect(await codeOf(revokeInvitation(db(), { workspaceId: other.workspace.id, invitationId: invitation.id, actorRole: "OWNER" }))).toBe("not_found");
    expect(await codeOf(resendInvitation(db(), { workspaceId: other.workspace.id, invitationId: invitation.id, actorId: other.user.id, actorRole: "OWNER" }))).toBe("not_found");
    expect((await db().invitation.findUniqueOrThrow({ where: { id: invitation.id } })).status).toBe("pending");
  });

  it("an admin cannot resend an owner invitation", async () => {
    const { ws, invitation } = await ownerInvites(uniqueEmail("owner-to-be"), "OWNER");
    const admin = await newOwner("admin");
    await addMembership(ws, admin.user.id, "ADMIN");
    expect(await codeOf(resendInvitation(db(), { workspaceId: ws, invitationId: invitation.id, actorId: admin.user.id, actorRole: "ADMIN" }))).toBe("forbidden");
  });

  it("lists pending and expired invitations with who sent them, never accepted or revoked ones", async () => {
    const invitee = await newOwner("lister");
    const { ws, owner, token } = await ownerInvites(invitee.user.email);
    const revoked = await inviteMember(db(), { workspaceId: ws, actorId: owner.user.id, actorRole: "OWNER", email: uniqueEmail("revoked"), role: "MEMBER" });
    const pendingEmail = uniqueEmail("pending");
    await inviteMember(db(), { workspaceId: ws, actorId: owner.user.id, actorRole: "OWNER", email: pendingEmail, role: "ADMIN" });
    await revokeInvitation(db(), { workspaceId: ws, invitationId: revoked.invitation.id, actorRole: "OWNER" });
    await acceptInvitation(db(), { token, userId: invitee.user.id });
    expect(await listInvitations(db(), ws)).toMatchObject([{ email: pendingEmail, role: "ADMIN", status: "pending", invitedBy: { email: owner.user.email } }]);
  });
});
