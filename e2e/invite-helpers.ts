import { expect, type Page } from "@playwright/test";
import { linkIn } from "../tests/helpers/mailbox";
import { mailbox } from "./helpers";

/** Invites `email` from the members page and returns the link from the email it was sent. */
export async function invite(page: Page, slug: string, email: string, role: "MEMBER" | "ADMIN" | "OWNER" = "MEMBER") {
  const invitation = { to: email, subject: /invited you to .* on Tally$/ };
  // Counted with the same filter as the wait below: the invitee may have other mail (a verification link).
  const before = (await mailbox().all(invitation)).length;
  await page.goto(`/w/${slug}/members`);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption(role);
  await page.getByRole("button", { name: "Send invitation", exact: true }).click();
  await expect(page.getByRole("status")).toHaveText(`Invitation sent to ${email}.`);
  const mail = await mailbox().waitFor(invitation, { count: before + 1 });
  return linkIn(mail, "/invite/");
}

/** Opens an invitation link as the signed-in invitee and accepts it; lands on the workspace. */
export async function acceptAsSignedIn(page: Page, link: string, workspaceName: string) {
  await page.goto(link);
  await page.getByRole("button", { name: `Accept and join ${workspaceName}` }).click();
  await page.waitForURL(/\/w\/[^/]+\/billing$/);
}
