import { expect, test, type Page } from "@playwright/test";
import { failOnCspViolations } from "./csp";
import { OPERATOR_EMAIL } from "../playwright.config";
import { confirmIn, payOnCheckoutPage, shooter, signIn, signOut, signUp } from "./helpers";

failOnCspViolations();

// What the owner sees when a payment is tried again: an upgrade declined, then retried from the same page once
// the card is fixed; packs paid by bank debit that clear or fail a minute later (the emulator settles debits
// after 60 seconds of wall-clock time); a refund that fails after its units were taken back.
// Screenshots go to e2e/artifacts (not committed).

const shoot = shooter("retries");

/** Replaces the customer's card in the billing portal, opened from the plans page in a tab of its own. */
async function replaceCard(page: Page, slug: string, card: string, last4: string) {
  const portal = await page.context().newPage();
  await portal.goto(`/w/${slug}/plans`);
  await portal.getByRole("button", { name: "Open billing portal" }).click();
  await portal.waitForURL(/\/portal\/bps_/);
  await portal.getByLabel("Card number").fill(card);
  await portal.getByLabel("Expiration").fill("12 / 34");
  await portal.getByLabel("CVC").fill("123");
  await portal.getByRole("button", { name: "Update card" }).click();
  await expect(portal.locator("#current-card")).toContainText(`•••• ${last4}`);
  await portal.close();
}

/** Buys the 500 compute pack by bank debit; answers the address of the emulator that served the checkout page. */
async function payByBank(page: Page, slug: string, account: string): Promise<string> {
  await page.goto(`/w/${slug}/extras`);
  await page.getByTestId("pack-compute_500").getByRole("button", { name: "Buy 500 compute" }).click();
  await expect(page).toHaveURL(/\/checkout\/cs_/);
  const emulator = new URL(page.url()).origin;
  await page.getByLabel("Routing number").fill("110000000");
  await page.getByLabel("Account number").fill(account);
  await page.getByLabel("Account holder name").fill("Ada Owner");
  await page.getByRole("button", { name: "Debit bank account" }).click();
  await page.waitForURL(new RegExp(`/w/${slug}/billing\\?checkout=success`));
  await expect(page.getByTestId("checkout-return")).toContainText("the units appear as soon as it clears");
  return emulator;
}

/** The emulator's tax rate for every address (its control route; 0 is the development default). */
async function setTaxPercent(emulator: string, percent: number) {
  const res = await fetch(`${emulator}/__emulator/tax`, { method: "POST", body: new URLSearchParams({ percent: String(percent) }) });
  expect(res.status).toBe(200);
}

test("upgrade declined, then tried again from the same page once the card is fixed: Pro applies", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Retry Co" });
  await page.goto(`/w/${slug}/plans`);
  await page.getByTestId("plan-starter").getByRole("button", { name: "Choose Starter" }).click();
  await payOnCheckoutPage(page);
  await page.waitForURL(new RegExp(`/w/${slug}/billing\\?checkout=success`));
  await expect(page.getByTestId("plan-name")).toHaveText("Starter");

  // A card that can be saved but is declined when charged.
  await replaceCard(page, slug, "4000 0000 0000 0341", "0341");
  await page.goto(`/w/${slug}/plans`);
  const upgrade = page.getByTestId("plan-pro").getByRole("button", { name: "Upgrade to Pro now" });
  await upgrade.click();
  await confirmIn(page, "Yes, upgrade and pay now");
  await expect(page.getByTestId("plan-pro")).toContainText(/declined.*nothing changed/);
  await shoot(page, "upgrade-declined");

  // Fixed in another tab; the same button on the same page is a new attempt, not the stored decline.
  await replaceCard(page, slug, "4242 4242 4242 4242", "4242");
  await upgrade.click();
  await confirmIn(page, "Yes, upgrade and pay now");
  await expect(async () => {
    await page.goto(`/w/${slug}/billing`);
    await expect(page.getByTestId("plan-name")).toHaveText("Pro", { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.locator('[role="progressbar"][aria-valuemax="10000"]').first()).toBeVisible();
});

test("packs paid by bank debit: one clears and its units are added, one fails and the extras page says why", async ({ page }) => {
  test.setTimeout(180_000);
  const { slug } = await signUp(page, { workspace: "Bank Co" });
  await payByBank(page, slug, "000123456789");
  await payByBank(page, slug, "000222222227");
  await page.goto(`/w/${slug}/extras`);
  await expect(page.getByTestId("purchase-processing")).toHaveCount(2);
  await expect(page.getByTestId("extras-balance")).toContainText("0");

  await expect(async () => {
    await page.goto(`/w/${slug}/extras`);
    await expect(page.getByTestId("purchase-processing")).toHaveCount(0, { timeout: 1000 });
  }).toPass({ timeout: 120_000, intervals: [5000] });
  await expect(page.getByTestId("purchase-failed")).toContainText("500 compute ($20) — bank payment failed");
  await expect(page.getByTestId("purchase-failed")).toContainText("The bank debit did not go through (insufficient funds)");
  await expect(page.getByTestId("extras-balance")).toContainText("500");
  await expect(page.getByTestId("extras-lot").filter({ hasText: "Purchase: 500 compute" })).toHaveCount(1);
  await shoot(page, "extras-debits");
});

test("a pack refund that fails after its units were taken back: the units come back, and the ledger says so", async ({ page }) => {
  const customer = await signUp(page, { workspace: "Refund Co" });
  await page.goto(`/w/${customer.slug}/extras`);
  await page.getByTestId("pack-compute_500").getByRole("button", { name: "Buy 500 compute" }).click();
  // Stripe's test card whose refunds are accepted, then fail.
  await payOnCheckoutPage(page, "4000 0000 0000 5126");
  await expect(page.getByTestId("checkout-return")).toContainText("500 compute units were added");
  await signOut(page);

  await signIn(page, OPERATOR_EMAIL);
  if (new URL(page.url()).pathname.startsWith("/sign-in")) await signUp(page, { email: OPERATOR_EMAIL, workspace: "Ops" });
  await page.goto("/admin/workspaces");
  await page.getByLabel("Search workspaces").fill(customer.email);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: "Refund Co" }).click();
  await expect(page.getByTestId("admin-extras-balance")).toHaveText("500");
  await page.getByTestId("admin-lot").filter({ hasText: "Purchase" }).getByRole("button", { name: "Refund" }).click();
  await confirmIn(page, "Yes, refund");
  // Taken back when Stripe accepted the refund; given back once it failed.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("admin-extras-balance")).toHaveText("500", { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await signOut(page);

  await signIn(page, customer.email);
  await page.goto(`/w/${customer.slug}/ledger`);
  await expect(page.getByRole("row").filter({ hasText: "Refund" }).filter({ hasNotText: "failed" })).toContainText("−500");
  await expect(page.getByRole("row").filter({ hasText: "Refund failed, units given back" })).toContainText("+500");
  await page.goto(`/w/${customer.slug}/extras`);
  await expect(page.getByTestId("extras-balance")).toContainText("500");
  await shoot(page, "extras-refund-failed");
});

test("auto top-up paid by a saved bank account and taxed as at checkout: a debit under the threshold buys a pack, which is added once the debit clears", async ({ page, request }) => {
  test.setTimeout(300_000);
  const { slug } = await signUp(page, { workspace: "Topup Bank Co" });
  const emulator = await payByBank(page, slug, "000123456789");
  const settled = async (lots: number, balance: string) =>
    expect(async () => {
      await page.goto(`/w/${slug}/extras`);
      await expect(page.getByTestId("extras-lot").filter({ hasText: "Purchase: 500 compute" })).toHaveCount(lots, { timeout: 1000 });
      await expect(page.getByTestId("extras-balance")).toContainText(balance, { timeout: 1000 });
    }).toPass({ timeout: 120_000, intervals: [5000] });
  await settled(1, "500");

  await page.getByLabel("Enabled").check();
  await page.getByLabel("Below (units)").fill("600");
  await page.getByLabel("At most per month").fill("1");
  await page.getByRole("button", { name: "Save auto top-up" }).click();
  await expect(page.getByText(/On: when a debit leaves the balance under 600, one 500 compute is bought and taxed as at checkout, paid with your saved payment method/)).toBeVisible();

  // Free's 100 a week, then one unit from extras: the balance falls under the threshold.
  await page.goto(`/w/${slug}/api-keys`);
  await page.getByLabel("Key name").fill("Top-up test");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByLabel("New API key").textContent())!.trim();
  // Tax at 10% from here on (the development default is none), so an untaxed top-up would show.
  await setTaxPercent(emulator, 10);
  try {
    const used = await request.post("/api/v1/usage", { headers: { authorization: `Bearer ${secret}` }, data: { feature: "compute", units: 101, idempotencyKey: `topup-${Date.now()}` } });
    expect(used.status()).toBe(200);
    await settled(2, "999");
  } finally {
    await setTaxPercent(emulator, 0);
  }
  await shoot(page, "extras-auto-top-up-bank");
  // The receipts: the pack bought in checkout before tax was on at $20, and the top-up at $20 plus 10% tax.
  await page.goto(`/w/${slug}/invoices`);
  const receipts = page.getByTestId("pack-receipt-row");
  await expect(receipts.filter({ hasText: "auto top-up" })).toContainText(/\$22(?![\d.])/);
  await expect(receipts.filter({ hasText: "bought in checkout" })).toContainText(/\$20(?![\d.])/);
  await shoot(page, "invoices-auto-top-up-taxed");
});
