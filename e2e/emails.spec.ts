import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { OPERATOR_EMAIL } from "../playwright.config";
import { linkIn } from "../tests/helpers/mailbox";
import { mailbox, payOnCheckoutPage, PASSWORD, signIn, signOut, signUp } from "./helpers";

const dir = "e2e/artifacts";
const widths = [1280, 375] as const;

async function noHorizontalScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(await page.evaluate(() => window.innerWidth));
}

test("a pack's receipt email links to the invoices page, which lists the receipt; operators preview every email", async ({ page }) => {
  test.setTimeout(180_000);
  fs.mkdirSync(dir, { recursive: true });
  const customer = await signUp(page, { workspace: "Receipt Co" });
  await page.goto(`/w/${customer.slug}/extras`);
  await page.getByTestId("pack-compute_500").getByRole("button", { name: "Buy 500 compute" }).click();
  await payOnCheckoutPage(page);
  await expect(page.getByTestId("checkout-return")).toContainText("500 compute units were added");

  const receipt = await mailbox().waitFor({ to: customer.email, subject: /^Receipt: 500 compute for Receipt Co$/ });
  await page.goto(linkIn(receipt, `/w/${customer.slug}/invoices`));
  await expect(page.getByRole("heading", { name: "Invoices", level: 1 })).toBeVisible();
  await expect(page.getByTestId("pack-receipt-row")).toHaveCount(1);
  await expect(page.getByTestId("pack-receipt-row")).toContainText("500 compute");
  for (const width of widths) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.reload();
    await noHorizontalScroll(page);
    await page.screenshot({ path: `${dir}/invoices-receipts-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  expect((await page.goto("/admin/emails"))?.status()).toBe(404);
  await page.goto(`/w/${customer.slug}/billing`);
  await signOut(page);

  await signIn(page, OPERATOR_EMAIL, PASSWORD);
  if (new URL(page.url()).pathname.startsWith("/sign-in")) await signUp(page, { email: OPERATOR_EMAIL, workspace: "Ops" });
  await page.goto("/admin/emails");
  await expect(page.getByRole("heading", { name: "Emails", level: 1 })).toBeVisible();
  await expect(page.getByTestId("email-preview")).toHaveCount(16);
  const threshold = page.locator("#threshold");
  await expect(threshold.frameLocator("iframe").getByRole("link", { name: "See usage" })).toBeVisible();
  await expect(threshold.getByTestId("email-text")).toContainText("/w/acme/usage");
  for (const width of widths) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.goto("/admin/emails");
    await noHorizontalScroll(page);
    await page.screenshot({ path: `${dir}/admin-emails-${width}.png` });
    await page.locator("#pack_receipt").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${dir}/admin-emails-receipt-${width}.png` });
  }
});
