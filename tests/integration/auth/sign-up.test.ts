// Sign-up says nothing about whether an address has an account: the answer is the same, nobody is signed
// in, and the email tells the owner of the address which case it was.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { authenticate, registerUser, signUpUser } from "@/lib/auth/users";
import { linkIn } from "../../helpers/mailbox";
import { withMailbox } from "../../helpers/with-mailbox";
import { ensureCatalog, uniqueEmail } from "../../helpers/factories";

const mail = withMailbox();
const PASSWORD = "correct-horse-battery";

describe("sign-up", () => {
  it("a new address: an unverified account with its workspace, and a verification link", async () => {
    await ensureCatalog();
    const email = uniqueEmail("new");
    expect(await signUpUser(db(), { email, password: PASSWORD, workspace: "Fresh" }, { address: null })).toBeUndefined();
    const user = await db().user.findUniqueOrThrow({ where: { email }, include: { memberships: true } });
    expect([user.emailVerified, user.memberships.map((m) => m.role)]).toEqual([null, ["OWNER"]]);
    const message = await mail.waitFor({ to: email });
    expect(message.subject).toBe("Verify your email address for Tally");
    linkIn(message, "/verify-email");
  });

  it("an address with an account: the same answer, the account untouched, and an email to its owner with sign-in and reset links", async () => {
    await ensureCatalog();
    const email = uniqueEmail("taken");
    const { user } = await registerUser(db(), { email, password: PASSWORD });
    const before = await db().user.findUniqueOrThrow({ where: { id: user.id }, include: { memberships: true } });

    expect(await signUpUser(db(), { email, password: "attacker-password-1", workspace: "Takeover" }, { address: null })).toBeUndefined();

    const after = await db().user.findUniqueOrThrow({ where: { id: user.id }, include: { memberships: true } });
    expect(after).toEqual(before);
    expect(await db().user.count({ where: { email } })).toBe(1);
    expect(await authenticate(db(), email, "attacker-password-1", { address: null })).toBeNull();
    expect((await authenticate(db(), email, PASSWORD, { address: null }))?.id).toBe(user.id);

    const message = await mail.waitFor({ to: email });
    expect(message.subject).toBe("Someone tried to create a Tally account with your email");
    expect(new URL(linkIn(message, "/sign-in")).pathname).toBe("/sign-in");
    expect(new URL(linkIn(message, "/forgot-password")).pathname).toBe("/forgot-password");
    expect(await mail.all({ to: email, subject: /Verify/ })).toEqual([]);
  });

  it("two sign-ups with one new address at once: one account, and each gets one of the two emails", async () => {
    await ensureCatalog();
    const email = uniqueEmail("race");
    await Promise.all([0, 1].map(() => signUpUser(db(), { email, password: PASSWORD }, { address: null })));
    expect(await db().user.count({ where: { email } })).toBe(1);
    await mail.waitFor({ to: email }, { count: 2 });
    expect((await mail.all({ to: email })).map((m) => m.subject).sort()).toEqual(["Someone tried to create a Tally account with your email", "Verify your email address for Tally"]);
  });
});
