// Lifecycle emails sent by the built app (its crons and its metering API), with their links followed as the
// owner who receives them: each lands on the workspace page it names.
import { afterAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/auth/users";
import { startTrial } from "@/lib/payments";
import { signIn, type Session } from "../chaos/session";
import type { ReceivedMail } from "../helpers/mailbox";
import { baseUrl, closeAll, mailbox, testDb, uid } from "./helpers";
import { createClient } from "./client";

const PASSWORD = "correct-horse-battery-staple";
const CRON_SECRET = process.env.CRON_SECRET || "http-test-cron-secret-0123456789";
const http = createClient(baseUrl, 4);
const sessions: Session[] = [];

afterAll(async () => {
  http.close();
  sessions.forEach((s) => s.close());
  await closeAll();
});

const runCron = async (job: string) => {
  const r = await http.request(`/api/cron/${job}`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
  expect(r.status).toBe(200);
};

/** Follows every link of the message to a workspace page of the app: the owner gets the page, not an error. */
async function followLinks(got: ReceivedMail, session: Session, slug: string, heading: RegExp) {
  const links = got.links.filter((l) => l.startsWith(`${baseUrl}/w/${slug}/`));
  expect(links.length).toBeGreaterThan(0);
  for (const link of links) {
    const page = await session.request(new URL(link).pathname);
    expect(page.status, link).toBe(200);
    expect(page.text).toMatch(heading);
  }
}

describe("lifecycle emails from the running app", () => {
  it("the trials cron warns 3 days before a trial ends, then says it ended; both links open the plans page", async () => {
    const email = `trial-${uid()}@example.test`;
    const { user, workspace } = await registerUser(testDb(), { email, password: PASSWORD, name: "Ada", workspace: `Trial ${uid()}` });
    await testDb().user.update({ where: { id: user.id }, data: { emailVerified: new Date() } });
    await startTrial(testDb(), { workspaceId: workspace.id, planKey: "starter", userId: user.id, now: new Date(Date.now() - 5 * 86_400_000) });
    const session = await signIn(baseUrl, email, PASSWORD);
    sessions.push(session);

    await runCron("trials");
    await runCron("trials");
    const ending = await mailbox.waitFor({ to: email, subject: /Starter trial ends on/ });
    await followLinks(ending, session, workspace.slug, /Plans/);

    await testDb().subscription.update({ where: { workspaceId: workspace.id }, data: { trialEndsAt: new Date(Date.now() - 60_000) } });
    await runCron("trials");
    await runCron("trials");
    const ended = await mailbox.waitFor({ to: email, subject: /Starter trial has ended$/ });
    await followLinks(ended, session, workspace.slug, /Plans/);
    expect(await mailbox.all({ to: email, subject: /trial/ })).toHaveLength(2);
  });

  it("/admin/emails shows every template, HTML and text, to operators only", async () => {
    const op = `op-${uid()}@example.test`;
    const other = `not-op-${uid()}@example.test`;
    for (const email of [op, other]) {
      const { user } = await registerUser(testDb(), { email, password: PASSWORD, name: "Op", workspace: `Console ${uid()}` });
      await testDb().user.update({ where: { id: user.id }, data: { emailVerified: new Date(), operator: email === op } });
    }
    const operator = await signIn(baseUrl, op, PASSWORD);
    const customer = await signIn(baseUrl, other, PASSWORD);
    sessions.push(operator, customer);
    const page = await operator.request("/admin/emails");
    expect(page.status).toBe(200);
    for (const title of ["Usage threshold", "Payment failed", "Payment needs authentication", "Degraded", "Moved to Free", "Trial ending", "Trial ended", "Pack receipt", "Auto top-up succeeded", "Auto top-up failed", "Verify email", "Password reset", "Member invitation"]) {
      expect(page.text).toContain(`>${title}</h2>`);
    }
    expect(page.text.match(/data-testid="email-preview"/g)).toHaveLength(16);
    expect(page.text).toContain("srcDoc=");
    expect((await customer.request("/admin/emails")).status).toBe(404);
  });
});
