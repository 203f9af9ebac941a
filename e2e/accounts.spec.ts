import { expect, test, type Page } from "@playwright/test";
import { failOnCspViolations } from "./csp";
import { linkIn } from "../tests/helpers/mailbox";
import { PASSWORD, mailbox, signIn, signUp, submitSignUp, uniqueEmail, verifyByEmail } from "./helpers";

failOnCspViolations();

const NEW_PASSWORD = "a-brand-new-passphrase-9";

test("sign up, verify by the emailed link, start a trial: refused before the link is opened, allowed after", async ({ page }) => {
  const email = uniqueEmail("trial");
  await submitSignUp(page, email, { workspace: "Verified Trials" });
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

  // Signed in before opening the link: every workspace page says what is locked.
  await signIn(page, email);
  await page.waitForURL(/\/w\/[^/]+\/billing$/);
  const slug = new URL(page.url()).pathname.split("/")[2]!;
  const notice = page.getByRole("region", { name: "Verify your email address" });
  await expect(notice).toContainText(`We sent a link to ${email}. Until you open it, you cannot start a trial or change billing`);
  await page.goto(`/w/${slug}/plans`);
  const pro = page.getByTestId("plan-pro");
  await pro.getByRole("button", { name: "Start 7-day trial" }).click();
  await expect(pro.getByRole("alert")).toHaveText(/Verify your email address before starting a trial or changing billing/);

  // "Send the link again" sends a second one; either works.
  await notice.getByRole("button", { name: "Send the link again" }).click();
  await expect(notice.getByRole("status")).toHaveText("We sent a new link. It works once, for 24 hours.");
  await mailbox().waitFor({ to: email, subject: "Verify your email address for Tally" }, { count: 2 });

  await verifyByEmail(page, email);
  await page.getByRole("link", { name: "Continue to Tally" }).click();
  await page.waitForURL(new RegExp(`/w/${slug}/billing$`));
  await expect(page.getByRole("region", { name: "Verify your email address" })).toHaveCount(0);
  await page.goto(`/w/${slug}/plans`);
  await page.getByTestId("plan-pro").getByRole("button", { name: "Start 7-day trial" }).click();
  await expect(page.getByTestId("plan-pro")).toContainText("This is your current plan (trial until");
});

/** A second browser signed in to the same account: "other sessions" in the tests below. */
async function otherSession(page: Page, email: string) {
  const context = await page.context().browser()!.newContext();
  const other = await context.newPage();
  await signIn(other, email);
  await other.waitForURL(/\/w\/[^/]+\/billing$/);
  return { other, close: () => context.close() };
}

test("forgot password: reset by the emailed link; the old password is refused and every other session ends", async ({ page }) => {
  const { email, slug } = await signUp(page, { workspace: "Reset Co" });
  const { other, close } = await otherSession(page, email);

  await page.context().clearCookies();
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toHaveText(`If ${email} has a Tally account, we sent it a link to choose a new password. The link works once, for one hour.`);

  const link = linkIn(await mailbox().waitFor({ to: email, subject: "Reset your Tally password" }), "/reset-password");
  await page.goto(link);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set new password" }).click();
  await page.waitForURL(/\/sign-in\?reset=1$/);
  await expect(page.getByRole("status")).toContainText("Your password was changed and every session was signed out.");
  await mailbox().waitFor({ to: email, subject: "Your Tally password was changed" });

  await signIn(page, email, PASSWORD);
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();
  await signIn(page, email, NEW_PASSWORD);
  await expect(page).toHaveURL(new RegExp(`/w/${slug}/billing$`));

  // The browser that was signed in before the reset is signed out.
  await other.goto(`/w/${slug}/billing`);
  await expect(other).toHaveURL(/\/sign-in/);
  await close();

  // The link worked once.
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "This link no longer works" })).toBeVisible();
});

test("change password in account settings: the current one is needed; this browser stays signed in, the others do not", async ({ page }) => {
  const { email, slug } = await signUp(page, { workspace: "Change Co" });
  const { other, close } = await otherSession(page, email);

  await page.getByRole("link", { name: "Account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  await page.getByLabel("Current password").fill("not-my-password");
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.locator("#current-error")).toHaveText("Your current password is not right.");

  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toHaveText("Your password was changed. Every other session of the account was signed out.");

  await page.goto(`/w/${slug}/billing`);
  await expect(page).toHaveURL(new RegExp(`/w/${slug}/billing$`));
  await other.goto(`/w/${slug}/billing`);
  await expect(other).toHaveURL(/\/sign-in/);
  await signIn(other, email, PASSWORD);
  await expect(other.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();
  await close();
});
