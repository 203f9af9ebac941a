import { expect, test } from "@playwright/test";
import { payOnCheckoutPage, signUp } from "./helpers";

test("choose Pro, pay with 4242 on the checkout page, come back with Pro active; buy a pack and see balance and lot", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Paying Co" });

  await page.goto(`/w/${slug}/plans`);
  await expect(page.getByTestId("plan-pro")).toBeVisible();
  await page.screenshot({ path: "test-results/payments-plans-1280.png", fullPage: true });
  await page.getByTestId("plan-pro").getByRole("button", { name: "Choose Pro" }).click();
  await payOnCheckoutPage(page);

  await page.waitForURL(new RegExp(`/w/${slug}/billing\\?checkout=success&session_id=cs_`));
  await expect(page.getByTestId("checkout-return")).toContainText("Pro plan is active");
  await expect(page.getByTestId("plan-name")).toHaveText("Pro");
  // Pro's weekly compute quota (10,000) is in the usage bars.
  await expect(page.locator('[role="progressbar"][aria-valuemax="10000"]').first()).toBeVisible();

  // Pro's quotas: the plans page marks Pro current, and the limits apply to the workspace.
  await page.goto(`/w/${slug}/plans`);
  await expect(page.getByTestId("plan-pro")).toContainText("This is your current plan");
  await expect(page.getByTestId("subscription-summary")).toContainText("Pro");
  await expect(page.getByTestId("plan-pro")).toContainText("10,000 compute a week");
  await expect(page.getByTestId("plan-max").getByRole("button", { name: "Upgrade to Max now" })).toBeVisible();
  await expect(page.getByTestId("plan-starter").getByRole("button", { name: "Switch to Starter at renewal" })).toBeVisible();

  await page.goto(`/w/${slug}/extras`);
  await page.getByTestId("pack-compute_500").getByRole("button", { name: "Buy 500 compute" }).click();
  await payOnCheckoutPage(page);
  await page.waitForURL(new RegExp(`/w/${slug}/billing\\?checkout=success`));
  await expect(page.getByTestId("checkout-return")).toContainText("500 compute units were added");

  await page.goto(`/w/${slug}/extras`);
  // Pro's plan grant (500, paid invoice) may land too, so the balance is at least the pack.
  await expect(page.getByTestId("extras-lot").filter({ hasText: "Purchase: 500 compute" })).toContainText("500 of 500 left");
  const balance = Number((await page.getByTestId("extras-balance").innerText()).replace(/[^\d.]/g, ""));
  expect(balance === 500 || balance === 1000).toBe(true);
  await page.screenshot({ path: "test-results/payments-extras-1280.png", fullPage: true });

  await page.goto(`/w/${slug}/ledger`);
  await expect(page.getByRole("row").filter({ hasText: "Top-up" })).toContainText("+500");
  await expect(page.getByRole("row").filter({ hasText: "Top-up" })).toContainText("Extras purchase");

  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`/w/${slug}/extras`);
  await page.screenshot({ path: "test-results/payments-extras-375.png", fullPage: true });
  await page.goto(`/w/${slug}/plans`);
  await page.screenshot({ path: "test-results/payments-plans-375.png", fullPage: true });
});
