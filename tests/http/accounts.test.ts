// Accounts against the built app, as a browser drives it: sign-up, the emailed links, and what an address
// that is not verified may not do.
import { afterAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/auth/users";
import { actionIds, anonymous, postAction, signIn } from "../chaos/session";
import { linkIn } from "../helpers/mailbox";
import { baseUrl, closeAll, mailbox, testDb, uid } from "./helpers";

const PASSWORD = "correct-horse-battery-staple";
const visitor = anonymous(baseUrl);

afterAll(async () => {
  visitor.close();
  await closeAll();
});

async function signUpByForm(email: string) {
  await postAction(visitor, "/sign-up", actionIds().signUpAction!, { name: "Ada", email, password: PASSWORD, workspace: `Verify ${uid()}` });
  const user = await testDb().user.findUniqueOrThrow({ where: { email }, include: { memberships: { include: { workspace: true } } } });
  return { userId: user.id, slug: user.memberships[0]!.workspace.slug };
}

const verificationLink = async (email: string) => linkIn(await mailbox.waitFor({ to: email, subject: "Verify your email address for Tally" }), "/verify-email");
const subscriptionOf = (slug: string) => testDb().subscription.findFirstOrThrow({ where: { workspace: { slug } } });

describe("sign-up does not tell whether an address has an account", () => {
  const sessionCookie = (r: { headers: { "set-cookie"?: string[] } }) => (r.headers["set-cookie"] ?? []).filter((c) => c.includes("session-token=") && !c.includes("session-token=;"));

  it("a new address and a taken one get the same answer, and neither is signed in", async () => {
    const taken = `taken-${uid()}@example.test`;
    await registerUser(testDb(), { email: taken, password: PASSWORD });
    const fresh = `fresh-${uid()}@example.test`;
    const post = (email: string) => postAction(visitor, "/sign-up", actionIds().signUpAction!, { name: "Eve", email, password: "attacker-password-1", workspace: "Probe" });
    const [a, b] = [await post(fresh), await post(taken)];
    expect(a.status).toBe(b.status);
    expect(a.text.replaceAll(fresh, "<email>")).toBe(b.text.replaceAll(taken, "<email>"));
    expect(a.headers.location).toBe(b.headers.location);
    expect([sessionCookie(a), sessionCookie(b)]).toEqual([[], []]);
    expect(a.text).toContain("We sent an email to");
    // The taken address's owner hears about it; the account is as it was.
    await mailbox.waitFor({ to: taken, subject: "Someone tried to create a Tally account with your email" });
    await mailbox.waitFor({ to: fresh, subject: "Verify your email address for Tally" });
    await expect(signIn(baseUrl, taken, "attacker-password-1")).rejects.toThrow(/sign-in failed/);
  });
});

describe("email verification", () => {
  it("a new account cannot start a trial until the emailed link is opened and confirmed; the link works once", async () => {
    const email = `verify-${uid()}@example.test`;
    const { userId, slug } = await signUpByForm(email);
    const link = await verificationLink(email);
    const session = await signIn(baseUrl, email, PASSWORD);

    const refused = await postAction(session, `/w/${slug}/plans`, actionIds().startTrialAction!, { slug, plan: "pro" });
    expect(refused.text).toContain("Verify your email address before starting a trial or changing billing");
    expect((await subscriptionOf(slug)).status).toBe("free");
    const checkout = await postAction(session, `/w/${slug}/plans`, actionIds().startCheckoutAction!, { slug, plan: "pro", interval: "month", requestKey: `rk_${uid()}${uid()}` });
    expect(checkout.text).toContain("Verify your email address");
    expect(await testDb().workspace.findFirstOrThrow({ where: { slug } }).then((w) => w.stripeCustomerId)).toBeNull();

    // Opening the link (a mail scanner does too) spends nothing; the button does.
    const page = await visitor.request(new URL(link).pathname + new URL(link).search);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Verify email address");
    expect((await testDb().user.findUniqueOrThrow({ where: { id: userId } })).emailVerified).toBeNull();
    const token = new URL(link).searchParams.get("token")!;
    await postAction(visitor, "/verify-email", actionIds().verifyEmailAction!, { token });
    expect((await testDb().user.findUniqueOrThrow({ where: { id: userId } })).emailVerified).toBeInstanceOf(Date);
    const again = await postAction(visitor, "/verify-email", actionIds().verifyEmailAction!, { token });
    expect(again.text).toContain("This link has expired or was already used");

    await postAction(session, `/w/${slug}/plans`, actionIds().startTrialAction!, { slug, plan: "pro" });
    expect((await subscriptionOf(slug)).status).toBe("trialing");
    session.close();
  });
});
