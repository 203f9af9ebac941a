import fs from "node:fs";
import { expect, type Page } from "@playwright/test";
import { linkIn, openMailbox } from "../tests/helpers/mailbox";

export const uniqueEmail = (label: string) => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}@example.test`;
export const PASSWORD = "correct-horse-battery";

/**
 * Signs up through the form, which answers "check your email" and signs nobody in; verifies the address by
 * the emailed link (unless `verify: false`), signs in and waits for the new workspace's billing page.
 */
export async function signUp(page: Page, opts: { email?: string; workspace?: string; name?: string; verify?: boolean } = {}) {
  const email = opts.email ?? uniqueEmail("owner");
  await submitSignUp(page, email, opts);
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  if (opts.verify !== false) await verifyByEmail(page, email);
  await signIn(page, email);
  await page.waitForURL(/\/w\/[^/]+\/billing$/);
  const slug = new URL(page.url()).pathname.split("/")[2]!;
  return { email, slug };
}

/** Fills and submits the sign-up form (whatever it answers). */
export async function submitSignUp(page: Page, email: string, opts: { workspace?: string; name?: string; password?: string } = {}) {
  await page.goto("/sign-up");
  await page.getByLabel("Name", { exact: true }).fill(opts.name ?? "Ada Owner");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(opts.password ?? PASSWORD);
  await page.getByLabel("Workspace name").fill(opts.workspace ?? "Acme");
  await page.getByRole("button", { name: "Create account" }).click();
}

/** Opens the newest verification link sent to `email` and confirms it. */
export async function verifyByEmail(page: Page, email: string) {
  const message = await mailbox().waitFor({ to: email, subject: "Verify your email address for Tally" });
  await page.goto(linkIn(message, "/verify-email"));
  await page.getByRole("button", { name: "Verify email address" }).click();
  await expect(page.getByRole("heading", { name: "Your email address is verified" })).toBeVisible();
}

export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Settled when the app moves on, or when the form says the credentials were refused.
  await Promise.race([
    page.waitForURL((url) => !url.pathname.startsWith("/sign-in")),
    page.locator("form [role=alert]").first().waitFor(),
  ]);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

/** Fills the checkout page with a test card (4242 pays; see the Stripe emulator) and presses Pay. */
export async function payOnCheckoutPage(page: Page, card = "4242 4242 4242 4242") {
  await expect(page).toHaveURL(/\/checkout\/cs_/);
  await page.getByLabel("Card number").fill(card);
  await page.getByLabel("Expiration").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByLabel("Cardholder name").fill("Ada Owner");
  await page.getByRole("button", { name: "Pay" }).click();
}

/** What the app sent, as the test SMTP server received it (e2e/global-setup.ts, or the caller of an external run). */
export const mailbox = () => openMailbox(process.env.E2E_MAIL_DIR ?? ".data/e2e/mail");

/** Goes ahead in the confirmation dialog that a money or destructive action opens first. */
export async function confirmIn(page: Page, button: string) {
  const dialog = page.getByRole("alertdialog");
  await dialog.getByRole("button", { name: button }).click();
  await expect(dialog).toHaveCount(0);
}

/** Where specs put their screenshots (git-ignored). */
export const ARTIFACTS_DIR = "e2e/artifacts";

/**
 * A screenshot taker for one spec: `shoot(page, name)` writes `<prefix>-<name>-1280.png` and `-375.png` (full
 * pages) into e2e/artifacts, then puts the viewport back to 1280 wide for the steps that follow.
 */
export function shooter(prefix: string) {
  return async function shoot(page: Page, name: string) {
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
      await page.screenshot({ path: `${ARTIFACTS_DIR}/${prefix}-${name}-${width}.png`, fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  };
}
