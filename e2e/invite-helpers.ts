import { expect, type Page } from "@playwright/test";
import { linkIn } from "../tests/helpers/mailbox";
import { mailbox } from "./helpers";

/** Invites `email` from the members page and returns the link from the email it was sent. */
export async function invite(page: Page, slug: string, email: string, role: "MEMBER" | "ADMIN" | "OWNER" = "MEMBER") {
  const invitation = { to: email, subject: /invited you to .* on Tally$/ };
  // Counted with the same filter as the wait below: the invitee may have other mail (a verification link).
  const before = (await mailbox().all(invitation)).length;
  if (!(await sendInvitation(page, slug, email, role))) {
    // A Free workspace's one seat is its owner's: make room as an owner would, with the Pro trial (10 seats).
    await startTrial(page, slug, "pro");
    expect(await sendInvitation(page, slug, email, role)).toBe(true);
  }
  const mail = await mailbox().waitFor(invitation, { count: before + 1 });
  return linkIn(mail, "/invite/");
}

/** Opens an invitation link as the signed-in invitee and accepts it; lands on the workspace. */
export async function acceptAsSignedIn(page: Page, link: string, workspaceName: string) {
  await page.goto(link);
  await page.getByRole("button", { name: `Accept and join ${workspaceName}` }).click();
  await page.waitForURL(/\/w\/[^/]+\/billing$/);
}

/** Submits the members page's invitation form: true once sent, false when every seat is taken. */
export async function sendInvitation(page: Page, slug: string, email: string, role: "MEMBER" | "ADMIN" | "OWNER" = "MEMBER") {
  await page.goto(`/w/${slug}/members`);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption(role);
  await page.getByRole("button", { name: "Send invitation", exact: true }).click();
  const sent = page.getByRole("status").filter({ hasText: `Invitation sent to ${email}.` });
  const full = page.getByText(/Every seat is taken/).first();
  await expect(sent.or(full)).toBeVisible();
  return sent.isVisible();
}

/** Starts a plan's trial from the plans page (the owner's email must be verified). */
export async function startTrial(page: Page, slug: string, plan: "starter" | "pro" | "max") {
  await page.goto(`/w/${slug}/plans`);
  const card = page.getByTestId(`plan-${plan}`);
  await card.getByRole("button", { name: /^Start \d+-day trial$/ }).click();
  await expect(card).toContainText("This is your current plan (trial until");
}
