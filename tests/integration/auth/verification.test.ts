// Email verification: a single-use, expiring link; billing changes and trials wait for it.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { AUTH_LIMITS } from "@/lib/auth/rate-limit";
import { signUpUser } from "@/lib/auth/users";
import { peekVerification, resendVerificationEmail, verifyEmail } from "@/lib/auth/verification";
import { resolveWorkspaceAccess } from "@/lib/workspaces/access";
import { linkIn } from "../../helpers/mailbox";
import { withMailbox } from "../../helpers/with-mailbox";
import { addMembership, ensureCatalog, newOwner, uniqueEmail } from "../../helpers/factories";

const mail = withMailbox();
const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (e instanceof AppError ? e.code : String(e)));
const tokenOf = (link: string) => new URL(link).searchParams.get("token")!;

async function signedUp() {
  await ensureCatalog();
  const email = uniqueEmail("verify");
  await signUpUser(db(), { email, password: "correct-horse-battery" }, { address: null });
  const message = await mail.waitFor({ to: email, subject: "Verify your email address for Tally" });
  const user = await db().user.findUniqueOrThrow({ where: { email }, include: { memberships: { include: { workspace: true } } } });
  const workspace = user.memberships[0]!.workspace;
  return { user, workspace, email, link: linkIn(message, "/verify-email") };
}

describe("email verification", () => {
  it("sign-up emails a link; opening the page does not spend it; confirming verifies the address once", async () => {
    const { user, link } = await signedUp();
    expect(user.emailVerified).toBeNull();
    const token = tokenOf(link);
    // Only the hash is stored.
    const rows = await db().userToken.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);

    expect(await peekVerification(db(), token)).toEqual({ userId: user.id, email: user.email });
    expect(await peekVerification(db(), token)).not.toBeNull();
    expect(await verifyEmail(db(), token)).toEqual({ userId: user.id, email: user.email });
    expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).emailVerified).toBeInstanceOf(Date);
    expect(await verifyEmail(db(), token)).toBeNull();
    expect(await peekVerification(db(), token)).toBeNull();
  });

  it("two clicks at once verify once", async () => {
    const { link } = await signedUp();
    const results = await Promise.all([verifyEmail(db(), tokenOf(link)), verifyEmail(db(), tokenOf(link))]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("an expired link, a made-up one, or a link sent to an address the account no longer has verifies nothing", async () => {
    const { user, link } = await signedUp();
    expect(await verifyEmail(db(), tokenOf(link), new Date(Date.now() + 25 * 3600_000))).toBeNull();
    expect(await verifyEmail(db(), "x".repeat(43))).toBeNull();
    expect(await verifyEmail(db(), "not a token")).toBeNull();
    await db().user.update({ where: { id: user.id }, data: { email: uniqueEmail("changed") } });
    expect(await verifyEmail(db(), tokenOf(link))).toBeNull();
    expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).emailVerified).toBeNull();
  });

  it("sending the link again is limited per address (each one is an email)", async () => {
    const { user, email } = await signedUp();
    for (let i = 0; i < AUTH_LIMITS["verify-email"].perEmail; i++) expect(await resendVerificationEmail(db(), user.id, { address: null })).toBe("sent");
    expect(await codeOf(resendVerificationEmail(db(), user.id, { address: null }))).toBe("rate_limited");
    expect(await mail.all({ to: email })).toHaveLength(1 + AUTH_LIMITS["verify-email"].perEmail);
  });
});

describe("billing changes need a verified address", () => {
  it("an unverified owner may read and manage keys but not change billing; verified, they may", async () => {
    const { user, workspace, link } = await signedUp();
    const ws = { slug: workspace.slug };
    expect(await codeOf(resolveWorkspaceAccess(db(), { userId: user.id, workspace: ws, need: "read" }))).toBe("ok");
    expect(await codeOf(resolveWorkspaceAccess(db(), { userId: user.id, workspace: ws, need: "billing" }))).toBe("ok");
    const refused = await resolveWorkspaceAccess(db(), { userId: user.id, workspace: ws, need: "billing-change" }).catch((e: AppError) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect([(refused as AppError).code, (refused as AppError).status]).toEqual(["email_unverified", 403]);
    expect((refused as AppError).message).toMatch(/Verify your email address before starting a trial or changing billing/);
    await verifyEmail(db(), tokenOf(link));
    expect(await codeOf(resolveWorkspaceAccess(db(), { userId: user.id, workspace: ws, need: "billing-change" }))).toBe("ok");
  });

  it("the role is checked first: a verified MEMBER is still refused, a stranger still gets not found", async () => {
    const owner = await newOwner("owner");
    const member = await newOwner("member");
    await addMembership(owner.workspace.id, member.user.id, "MEMBER");
    expect(await codeOf(resolveWorkspaceAccess(db(), { userId: member.user.id, workspace: { id: owner.workspace.id }, need: "billing-change" }))).toBe("forbidden");
    const stranger = await newOwner("stranger", { verified: false });
    expect(await codeOf(resolveWorkspaceAccess(db(), { userId: stranger.user.id, workspace: { id: owner.workspace.id }, need: "billing-change" }))).toBe("not_found");
  });
});
