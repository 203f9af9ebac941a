import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { signIn, signOut, signUp } from "./helpers";

// Usage is driven through the product's own metering API with a key made on the API keys page,
// exactly as a customer's backend would report it.

async function createKey(page: Page, slug: string): Promise<string> {
  await page.goto(`/w/${slug}/api-keys`);
  await page.getByLabel("Key name").fill("Dashboard test");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByLabel("New API key").textContent())?.trim();
  expect(secret).toMatch(/^tk_/);
  return secret!;
}

let seq = 0;
async function report(request: APIRequestContext, secret: string, feature: string, units: number | string, metadata?: Record<string, unknown>) {
  return request.post("/api/v1/usage", {
    headers: { authorization: `Bearer ${secret}` },
    data: { feature, units, idempotencyKey: `dash-${Date.now()}-${seq++}`, ...(metadata ? { metadata } : {}) },
  });
}

async function addMember(page: Page, slug: string, email: string) {
  await page.goto(`/w/${slug}/members`);
  await page.getByLabel("Email of an existing Tally user").fill(email);
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("status")).toContainText(`${email} was added as member.`);
}

test("usage bars follow recorded usage, and a feature at 100% says why and how out", async ({ page, request }) => {
  const { slug } = await signUp(page, { workspace: "Bars Inc" });
  const secret = await createKey(page, slug);

  await page.goto(`/w/${slug}/billing`);
  const compute = page.getByTestId("usage-compute");
  await expect(compute.getByTestId("usage-compute-text")).toHaveText("0 / 100 compute units");
  await expect(page.getByTestId("usage-seats-text")).toHaveText(/^\d of 1 seat$/);

  expect((await report(request, secret, "compute", "85.5", { action: "summarize" })).status()).toBe(200);
  expect((await report(request, secret, "api_calls", 12)).status()).toBe(200);
  await page.reload();
  const bar = compute.getByRole("progressbar", { name: "Compute" });
  await expect(bar).toHaveAttribute("aria-valuenow", "85.5");
  await expect(bar).toHaveAttribute("aria-valuemin", "0");
  await expect(bar).toHaveAttribute("aria-valuemax", "100");
  await expect(bar).toHaveAttribute("aria-valuetext", "85.5 / 100 compute units, 85%, nearly used up");
  await expect(compute.getByTestId("usage-compute-text")).toHaveText("85.5 / 100 compute units");
  await expect(compute).toHaveAttribute("data-level", "warning");
  await expect(compute).toContainText("85% used · Nearly used up");
  await expect(compute).toContainText(/Resets [A-Z][a-z]{2} \d{1,2}, \d{4}, 00:00 UTC/);
  await expect(page.getByTestId("usage-api_calls-text")).toHaveText("12 / 1,000 API calls");
  await expect(page.getByTestId("alert-quota_near-compute")).toContainText("Compute: 85% used");
  await expect(page.getByTestId("alert-quota_near-compute")).toContainText("You have passed 80% of this period's compute units.");

  expect((await report(request, secret, "compute", "14.5")).status()).toBe(200);
  const refused = await report(request, secret, "compute", 1);
  expect(refused.status()).toBe(402);
  await page.reload();
  await expect(bar).toHaveAttribute("aria-valuenow", "100");
  await expect(bar).toHaveAttribute("aria-valuetext", "100 / 100 compute units, 100%, limit reached");
  await expect(compute).toHaveAttribute("data-level", "full");
  await expect(compute).toContainText("100% used · Limit reached");
  const alert = page.getByTestId("alert-quota_full-compute");
  await expect(alert).toContainText("Action needed");
  await expect(alert).toContainText("Compute: 100% of this period's quota used");
  await expect(alert).toContainText("New compute units are refused until the quota resets or you add extras.");
  await expect(alert.getByRole("link", { name: "Buy extras" })).toHaveAttribute("href", `/w/${slug}/extras`);
  await expect(alert.getByRole("link", { name: "Upgrade plan" })).toHaveAttribute("href", `/w/${slug}/plans`);
  await expect(page.getByTestId("alert-quota_near-compute")).toHaveCount(0);

  // The usage page tells the same story per day and per action.
  await page.goto(`/w/${slug}/usage`);
  await expect(page.getByTestId("chart-compute")).toContainText("100 compute units in 30 days");
  await expect(page.getByRole("img", { name: /Daily compute usage, last 30 days/ })).toBeVisible();
  const window = page.getByTestId("window-compute");
  await expect(window).toContainText("100 of 100 compute units from the quota");
  await expect(window.getByRole("row", { name: /summarize/ })).toContainText("85.5");
  await window.getByRole("link", { name: "summarize" }).click();
  await expect(page.getByTestId("usage-event")).toContainText("85.5 compute units: 85.5 from the quota, 0 from extras");
});

test("a member sees usage and alerts but no billing controls", async ({ page, request }) => {
  const member = await signUp(page, { workspace: "Member home" });
  await signOut(page);
  const owner = await signUp(page, { workspace: "Shared Billing" });
  const secret = await createKey(page, owner.slug);
  expect((await report(request, secret, "compute", 100)).status()).toBe(200);
  await addMember(page, owner.slug, member.email);
  await page.goto(`/w/${owner.slug}/billing`);
  await expect(page.getByRole("main").getByRole("link", { name: "Upgrade", exact: true })).toHaveCount(1);
  await signOut(page);

  await signIn(page, member.email);
  await page.goto(`/w/${owner.slug}/billing`);
  await expect(page.getByTitle("Your role in this workspace")).toHaveText("MEMBER");
  await expect(page.getByTestId("plan-name")).toHaveText("Free");
  await expect(page.getByTestId("usage-compute-text")).toHaveText("100 / 100 compute units");
  const alert = page.getByTestId("alert-quota_full-compute");
  await expect(alert).toContainText("New compute units are refused until the quota resets or you add extras.");
  await expect(alert).toContainText("Ask an owner or admin of this workspace to buy extras or upgrade the plan.");
  const main = page.getByRole("main");
  for (const name of ["Upgrade", "Change plan", "Buy extras", "Upgrade plan"]) {
    await expect(main.getByRole("link", { name, exact: true })).toHaveCount(0);
  }
  await expect(main.getByRole("button")).toHaveCount(0);
  await expect(main.getByRole("link", { name: "See the ledger" })).toBeVisible();
});

test("the skip link and the tabs work from the keyboard", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Keyboard Co" });
  await page.goto(`/w/${slug}/billing`);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("main")).toBeFocused();
  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Ledger" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/w/${slug}/ledger$`));
  await expect(page.getByRole("link", { name: "Ledger", exact: true })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("empty-state")).toContainText("No ledger entries yet");
});

test("the empty invoices page says why it is empty", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Invoice-less" });
  await page.goto(`/w/${slug}/invoices`);
  await expect(page.getByTestId("empty-state")).toContainText("This workspace is on a free plan or a trial without a card, so nothing has been billed.");
});

test("pricing switches between monthly and annual without breaking sign-up", async ({ page }) => {
  await page.goto("/pricing");
  const starter = page.getByTestId("pricing-starter");
  await expect(starter).toContainText("$9.99 / month");
  await page.getByRole("link", { name: "Annual" }).click();
  await expect(page).toHaveURL(/billing=annual/);
  await expect(starter).toContainText("$99.90 / year");
  await expect(starter).toContainText("$8.33 a month, save $19.98");
  await starter.getByRole("link", { name: /Try Starter free/ }).click();
  await expect(page).toHaveURL(/\/sign-up$/);
});
