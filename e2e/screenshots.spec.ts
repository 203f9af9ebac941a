import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { mailbox, signIn, signOut, signUp, submitSignUp, uniqueEmail } from "./helpers";
import { acceptAsSignedIn, invite } from "./invite-helpers";
import { linkIn } from "../tests/helpers/mailbox";

// Every billing page at a desktop and a phone width, saved for people to look at (e2e/artifacts is not committed).
const pages = ["billing", "plans", "extras", "ledger", "usage", "invoices", "api-keys", "members"] as const;
const widths = [1280, 375] as const;
const dir = "e2e/artifacts";

test("screenshots of every billing page at 1280 and 375 px", async ({ page, request, browser }) => {
  test.setTimeout(240_000);
  fs.mkdirSync(dir, { recursive: true });
  const admin = await signUp(page, { workspace: "Admin's own", name: "Ari Admin" });
  await signOut(page);
  const { slug, email: ownerEmail } = await signUp(page, { workspace: "Screenshot Studio", name: "Sam Owner" });

  // Some usage first, so the bars, the alerts and the chart have something to show.
  await page.goto(`/w/${slug}/api-keys`);
  await page.getByLabel("Key name").fill("Screenshots");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByLabel("New API key").textContent())!.trim();
  const usage = [
    { feature: "compute", units: 62.5, metadata: { action: "summarize" } },
    { feature: "compute", units: 21, metadata: { action: "translate" } },
    { feature: "api_calls", units: 340 },
  ];
  for (const [i, u] of usage.entries()) {
    const res = await request.post("/api/v1/usage", { headers: { authorization: `Bearer ${secret}` }, data: { ...u, idempotencyKey: `shot-${Date.now()}-${i}` } });
    expect(res.status()).toBe(200);
  }

  // Members: an admin who joined by invitation and made a key, then was made a member (the key is flagged),
  // and an invitation still pending.
  const adminLink = await invite(page, slug, admin.email, "ADMIN");
  const invitee = uniqueEmail("invitee");
  await invite(page, slug, invitee, "MEMBER");
  await signOut(page);
  await signIn(page, admin.email);
  await acceptAsSignedIn(page, adminLink, "Screenshot Studio");
  await page.goto(`/w/${slug}/api-keys`);
  await page.getByLabel("Key name").fill("Ari's import script");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByLabel("New API key")).toBeVisible();
  await signOut(page);
  await signIn(page, ownerEmail);
  await page.goto(`/w/${slug}/members`);
  const row = page.getByTestId(`member-${admin.email}`);
  await row.getByLabel(`Role for ${admin.email}`).selectOption("MEMBER");
  await row.getByRole("button", { name: "Save" }).click();
  await row.getByRole("checkbox").uncheck();
  await row.getByRole("button", { name: "Yes, change role" }).click();
  await expect(page.getByRole("status")).toHaveText(`${admin.email} is now a member.`);

  // The invitation page as the invited person sees it, signed out.
  const inviteLink = linkIn(await mailbox().waitFor({ to: invitee }), "/invite/");
  const guest = await browser.newContext();
  const guestPage = await guest.newPage();
  for (const width of widths) {
    await guestPage.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await guestPage.goto(inviteLink);
    await expect(guestPage.getByRole("heading", { name: "Join Screenshot Studio" })).toBeVisible();
    await guestPage.screenshot({ path: `${dir}/invitation-${width}.png`, fullPage: true });
  }
  await guest.close();

  // The members page with a removal being confirmed (the offer to revoke keys shows).
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`/w/${slug}/members`);
  await row.getByLabel(`Role for ${admin.email}`).selectOption("REMOVE");
  await row.getByRole("button", { name: "Save" }).click();
  await page.screenshot({ path: `${dir}/members-remove-confirm-1280.png`, fullPage: true });

  for (const width of widths) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    for (const name of pages) {
      const response = await page.goto(`/w/${slug}/${name}`);
      // Pages still being built elsewhere may not exist yet; their screenshot shows that plainly.
      expect(response?.status(), name).toBeLessThan(500);
      // The page, not its loading placeholder.
      await expect(page.getByText(/Loading the workspace/)).toHaveCount(0);
      await page.screenshot({ path: `${dir}/${name}-${width}.png`, fullPage: true });
    }
    await page.goto("/pricing");
    await page.screenshot({ path: `${dir}/pricing-${width}.png`, fullPage: true });
  }
});

test("screenshots of the account pages at 1280 and 375 px", async ({ page }) => {
  test.setTimeout(180_000);
  fs.mkdirSync(dir, { recursive: true });
  const email = uniqueEmail("shots");
  const shot = (name: string, width: number) => page.screenshot({ path: `${dir}/${name}-${width}.png`, fullPage: true });
  let verifyLink = "";
  let resetLink = "";
  let slug = "";
  for (const width of widths) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.context().clearCookies();
    await page.goto("/sign-up");
    await shot("sign-up", width);
    await submitSignUp(page, width === 1280 ? email : uniqueEmail("shots"), { workspace: "Screenshot Accounts" });
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await shot("sign-up-check-email", width);
    verifyLink ||= linkIn(await mailbox().waitFor({ to: email, subject: "Verify your email address for Tally" }), "/verify-email");
    await page.goto(verifyLink);
    await shot("verify-email", width);
    await page.goto("/verify-email?token=no-longer-good");
    await shot("verify-email-expired", width);

    await page.goto("/forgot-password");
    await shot("forgot-password", width);
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await expect(page.getByRole("status")).toBeVisible();
    await shot("forgot-password-sent", width);
    resetLink ||= linkIn(await mailbox().waitFor({ to: email, subject: "Reset your Tally password" }), "/reset-password");
    await page.goto(resetLink);
    await shot("reset-password", width);
    await page.goto("/reset-password?token=no-longer-good");
    await shot("reset-password-expired", width);

    await page.goto("/sign-in");
    await shot("sign-in", width);
    await page.goto("/sign-in?reset=1");
    await shot("sign-in-after-reset", width);
    await page.goto("/sign-in?error=link_needs_verified_email");
    await shot("sign-in-oauth-refused", width);

    // Signed in before verifying: the notice on every workspace page, and the account page.
    await signIn(page, email);
    await page.waitForURL(/\/w\/[^/]+\/billing$/);
    slug = new URL(page.url()).pathname.split("/")[2]!;
    await shot("billing-unverified", width);
    await page.goto(`/w/${slug}/plans`);
    await shot("plans-unverified", width);
    await page.goto("/account");
    await shot("account-unverified", width);
  }
  // Verified: the confirmation, and the account page with its password form.
  await page.goto(verifyLink);
  await page.getByRole("button", { name: "Verify email address" }).click();
  await expect(page.getByRole("heading", { name: "Your email address is verified" })).toBeVisible();
  for (const width of widths) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.goto("/verify-email?verified=1");
    await shot("verify-email-done", width);
    await page.goto("/account");
    await shot("account", width);
    await page.goto(`/w/${slug}/billing`);
    await shot("billing-verified", width);
  }
});
