import { expect, test } from "@playwright/test";
import { PASSWORD, mailbox, signIn, signOut, signUp, submitSignUp, uniqueEmail } from "./helpers";

test("sign up lands on the new workspace's billing page on the Free plan", async ({ page }) => {
  await signUp(page, { workspace: "Globex Billing" });
  await expect(page.getByRole("heading", { level: 1, name: "Globex Billing" })).toBeVisible();
  await expect(page.getByTestId("plan-name")).toHaveText("Free");
});

test("sign out, then sign in again", async ({ page }) => {
  const { email, slug } = await signUp(page);
  await signOut(page);
  await page.goto(`/w/${slug}/billing`);
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, email, "wrong-password");
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();
  await signIn(page, email);
  await expect(page).toHaveURL(new RegExp(`/w/${slug}/billing$`));
});

test.describe("sign-up form errors create nothing", () => {
  test("invalid email", async ({ page }) => {
    await page.goto("/sign-up");
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.locator("#email-error")).toHaveText("Enter a valid email address.");
    await expect(page).toHaveURL(/\/sign-up$/);
    await signIn(page, "not-an-email");
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test("password under 8 characters", async ({ page }) => {
    const email = uniqueEmail("short");
    await page.goto("/sign-up");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("short7!");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.locator("#password-error")).toHaveText("Use at least 8 characters.");
    await signIn(page, email, "short7!");
    await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();
  });

  test("email already taken: the same answer as a new address, nobody signed in, the owner told by email", async ({ page }) => {
    const { email, slug } = await signUp(page);
    await signOut(page);
    await submitSignUp(page, email, { password: "another-password-1", workspace: "Takeover" });
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await expect(page.getByRole("status")).toHaveText(`We sent an email to ${email}. Open the link in it to verify your address, then sign in.`);
    await page.goto(`/w/${slug}/billing`);
    await expect(page).toHaveURL(/\/sign-in/);
    const notice = await mailbox().waitFor({ to: email, subject: "Someone tried to create a Tally account with your email" });
    expect(notice.text).toContain("no new one was made");
    // The first account is untouched: the other password does not open it, its own does, and it still has one workspace.
    await signIn(page, email, "another-password-1");
    await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();
    await signIn(page, email);
    await expect(page).toHaveURL(new RegExp(`/w/${slug}/billing$`));
    await expect(page.getByRole("combobox").locator("option")).toHaveCount(1);
  });
});

test.describe("after sign-in, `next` never leaves the site", () => {
  // A "starts with / but not //" check let all of these through; Chromium took the backslash, tab and
  // dot-segment forms to the other host. The percent-encoded backslash is refused as well, in case
  // anything on the way decodes it.
  for (const next of ["/\\evil.example/phish", "/%5Cevil.example/phish", "/\t/evil.example/phish", "/.//evil.example/phish"]) {
    test(`next=${JSON.stringify(next)}`, async ({ page, baseURL }) => {
      const { email } = await signUp(page);
      await signOut(page);
      // Anything that tries to reach the other host is answered here, so a redirect there would be seen.
      const offsite: string[] = [];
      await page.route((url) => url.hostname.startsWith("evil.example"), (route) => {
        offsite.push(route.request().url());
        return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>phished</h1>" });
      });
      await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
      await page.waitForLoadState("load");
      expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
      expect(offsite).toEqual([]);
      await expect(page.getByRole("heading", { name: "phished" })).toHaveCount(0);
    });
  }
});

test("sign-in after 10 wrong passwords says when to retry, and the right password waits too", async ({ page }) => {
  // The limit counts per fixed quarter hour (lib/auth/rate-limit.ts): eleven attempts that straddle a window's
  // end are two windows' worth. Start clear of the end, so all eleven fall in one window.
  test.setTimeout(180_000);
  const window = 15 * 60_000;
  const left = window - (Date.now() % window);
  if (left < 90_000) await page.waitForTimeout(left + 1_000);
  const { email } = await signUp(page);
  await signOut(page);
  for (let i = 0; i < 10; i++) {
    await signIn(page, email, `wrong-password-${i}`);
    await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();
  }
  await signIn(page, email);
  await expect(page.getByRole("alert").filter({ hasText: /Too many sign-in attempts\. Try again in \d+ (minutes?|seconds?)\./ })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
});

test("a session cookie copied before sign-out does not open the workspace after it", async ({ page, browser }) => {
  const { slug } = await signUp(page);
  const copied = await page.context().cookies();
  await signOut(page);
  const thief = await browser.newContext();
  await thief.addCookies(copied);
  const other = await thief.newPage();
  await other.goto(`/w/${slug}/billing`);
  await expect(other).toHaveURL(/\/sign-in/);
  await thief.close();
});
