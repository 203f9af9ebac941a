import { expect, test, type Page } from "@playwright/test";
import Stripe from "stripe";
import { failOnCspViolations } from "./csp";
import { confirmIn, payOnCheckoutPage, shooter, signUp } from "./helpers";

failOnCspViolations();

// What Stripe's events look like in the app: 3-D Secure on an upgrade (confirmed, or abandoned), insufficient
// funds, a pack paid by bank debit, and a disputed pack. Screenshots go to e2e/artifacts (not committed).

const shoot = shooter("events");
const AUTH_ALWAYS = "4000 0027 6000 3184";

/** Starter through checkout with `card`; a 3-D Secure card completes the bank's challenge on the way. */
async function subscribeStarter(page: Page, slug: string, card: string) {
  await page.goto(`/w/${slug}/plans`);
  await page.getByTestId("plan-starter").getByRole("button", { name: "Choose Starter" }).click();
  await payOnCheckoutPage(page, card);
  if (card === AUTH_ALWAYS) {
    await expect(page.getByRole("heading", { name: "Confirm your payment" })).toBeVisible();
    await page.getByRole("button", { name: "Complete authentication" }).click();
  }
  await page.waitForURL(new RegExp(`/w/${slug}/billing\\?checkout=success`));
  await expect(page.getByTestId("plan-name")).toHaveText("Starter");
}

/** Reloads `path` until `check` passes: the page shows what a webhook did once it has arrived. */
async function eventually(page: Page, path: string, check: () => Promise<void>) {
  await expect(async () => {
    await page.goto(path);
    await check();
  }).toPass({ timeout: 20_000 });
}

test("3-D Secure upgrade: the owner confirms the payment on Stripe's invoice page, then Pro applies", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Secure Co" });
  await subscribeStarter(page, slug, AUTH_ALWAYS);

  await page.goto(`/w/${slug}/plans`);
  await page.getByTestId("plan-pro").getByRole("button", { name: "Upgrade to Pro now" }).click();
  await confirmIn(page, "Yes, upgrade and pay now");
  await page.waitForURL(/\/invoices\/in_/);
  await expect(page.getByText("Your bank needs you to confirm this payment (3-D Secure).")).toBeVisible();
  await page.getByRole("button", { name: "Complete authentication" }).click();
  await expect(page.locator("#invoice-status")).toHaveText("paid");

  await eventually(page, `/w/${slug}/billing`, async () => {
    await expect(page.getByTestId("plan-name")).toHaveText("Pro", { timeout: 1000 });
  });
  await expect(page.getByText("Payment needs authentication")).toHaveCount(0);
  await expect(page.locator('[role="progressbar"][aria-valuemax="10000"]').first()).toBeVisible();
});

test("3-D Secure upgrade abandoned: the plan stays, and billing and invoices say the payment needs authentication, with its link", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Abandon Co" });
  await subscribeStarter(page, slug, AUTH_ALWAYS);

  await page.goto(`/w/${slug}/plans`);
  await page.getByTestId("plan-pro").getByRole("button", { name: "Upgrade to Pro now" }).click();
  await confirmIn(page, "Yes, upgrade and pay now");
  await page.waitForURL(/\/invoices\/in_/);
  const hosted = page.url();

  // The owner leaves without confirming.
  await eventually(page, `/w/${slug}/billing`, async () => {
    await expect(page.getByText("Payment needs authentication: your upgrade to Pro is waiting")).toBeVisible({ timeout: 1000 });
  });
  await expect(page.getByTestId("plan-name")).toHaveText("Starter");
  await expect(page.getByText(/Until it is confirmed your current plan and its limits stay as they are; the upgrade is dropped if it is not confirmed by/)).toBeVisible();
  await expect(page.getByTestId("confirm-payment-link")).toHaveAttribute("href", hosted);
  await expect(page.locator('[role="progressbar"][aria-valuemax="1000"]').first()).toBeVisible();
  await shoot(page, "billing-authentication");

  await page.goto(`/w/${slug}/invoices`);
  const row = page.getByTestId("invoice-row").filter({ hasText: "needs your authentication" });
  await expect(row.getByTestId("invoice-status")).toHaveText("Open: payment needs your authentication (3-D Secure)");
  await expect(row.getByRole("link", { name: /Confirm payment/ })).toHaveAttribute("href", hosted);
  await shoot(page, "invoices-authentication");
});

test("insufficient funds: an upgrade charged to a card without funds is refused in words that say so", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Broke Co" });
  await subscribeStarter(page, slug, "4242 4242 4242 4242");

  await page.goto(`/w/${slug}/plans`);
  await page.getByRole("button", { name: "Open billing portal" }).click();
  await page.waitForURL(/\/portal\/bps_/);
  await page.getByLabel("Card number").fill("4000 0000 0000 9995");
  await page.getByLabel("Expiration").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Update card" }).click();
  await expect(page.locator("#current-card")).toContainText("•••• 9995");
  await page.getByRole("link", { name: "Return to Tally" }).click();

  await page.goto(`/w/${slug}/plans`);
  await page.getByTestId("plan-pro").getByRole("button", { name: "Upgrade to Pro now" }).click();
  await confirmIn(page, "Yes, upgrade and pay now");
  await expect(page.getByTestId("plan-pro")).toContainText("The payment was declined (insufficient funds); nothing changed. Use another card in the billing portal and try again.");
  await shoot(page, "plans-insufficient-funds");
  await page.goto(`/w/${slug}/billing`);
  await expect(page.getByTestId("plan-name")).toHaveText("Starter");
});

test("extras: a pack paid by bank debit is shown pending; a disputed pack's units are frozen, then back when the dispute is won", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Debit Co" });

  await page.goto(`/w/${slug}/extras`);
  await page.getByTestId("pack-compute_500").getByRole("button", { name: "Buy 500 compute" }).click();
  await expect(page).toHaveURL(/\/checkout\/cs_/);
  await page.getByLabel("Routing number").fill("110000000");
  await page.getByLabel("Account number").fill("000123456789");
  await page.getByLabel("Account holder name").fill("Ada Owner");
  await page.getByRole("button", { name: "Debit bank account" }).click();
  await page.waitForURL(new RegExp(`/w/${slug}/billing\\?checkout=success`));
  await expect(page.getByTestId("checkout-return")).toContainText("the units appear as soon as it clears");

  await page.goto(`/w/${slug}/extras`);
  await expect(page.getByTestId("purchase-processing")).toContainText("500 compute ($20) — bank payment processing");
  await expect(page.getByTestId("extras-balance")).toContainText("0");

  await page.getByTestId("pack-compute_500").getByRole("button", { name: "Buy 500 compute" }).click();
  await expect(page).toHaveURL(/\/checkout\/cs_/);
  const emulator = new URL(page.url());
  await payOnCheckoutPage(page, "4000 0000 0000 0259");
  await page.waitForURL(new RegExp(`/w/${slug}/billing\\?checkout=success`));
  await eventually(page, `/w/${slug}/extras`, async () => {
    await expect(page.getByTestId("lot-disputed")).toContainText("500 frozen: the payment for this pack is disputed", { timeout: 1000 });
  });
  await expect(page.getByTestId("extras-lot").filter({ hasText: "frozen" })).toContainText("0 of 500 left");
  await shoot(page, "extras-pending-disputed");
  await page.goto(`/w/${slug}/billing`);
  await expect(page.getByText("Extras frozen by a payment dispute")).toBeVisible();
  await shoot(page, "billing-disputed");

  // Stripe decides for the seller: the units come back.
  const stripe = new Stripe("sk_test_e2e", { host: emulator.hostname, port: Number(emulator.port), protocol: "http" });
  const [dispute] = (await stripe.disputes.list({ limit: 100 })).data.filter((d) => d.status === "needs_response");
  await stripe.disputes.update(dispute!.id, { evidence: { uncategorized_text: "winning_evidence" } });
  await eventually(page, `/w/${slug}/extras`, async () => {
    await expect(page.getByTestId("lot-disputed")).toHaveCount(0, { timeout: 1000 });
  });
  await expect(page.getByTestId("extras-lot").filter({ hasText: "Purchase: 500 compute" }).first()).toContainText("500 of 500 left");
  await page.goto(`/w/${slug}/ledger`);
  await expect(page.getByRole("row").filter({ hasText: "Dispute won, units given back" })).toContainText("+500");
  await expect(page.getByRole("row").filter({ hasText: "Frozen: payment disputed" })).toContainText("500");
  await shoot(page, "ledger-dispute");
});
