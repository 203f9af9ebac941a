// Accounts against the built app, as a browser drives it: sign-up, the emailed links, and what an address
// that is not verified may not do.
import { afterAll, describe, expect, it } from "vitest";
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
