import fs from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { failOnCspViolations } from "./csp";
import { signIn, signOut, signUp } from "./helpers";
import { acceptAsSignedIn, invite } from "./invite-helpers";

failOnCspViolations();

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
  await expect(compute).toContainText(/Resets in \d+ (days?|hours?|minutes?) \([A-Z][a-z]{2} \d{1,2}, \d{4}, 00:00 UTC\)/);
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
  await expect(page.getByRole("img", { name: /Compute usage, last 30 days/ })).toBeVisible();
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
  // Free's one seat is the owner's: inviting starts the Pro trial (10 seats, 10,000 compute units a week).
  const link = await invite(page, owner.slug, member.email);
  expect((await report(request, secret, "compute", 10_000)).status()).toBe(200);
  await page.goto(`/w/${owner.slug}/billing`);
  await expect(page.getByRole("main").getByRole("link", { name: "Change plan", exact: true })).toHaveCount(1);
  await signOut(page);

  await signIn(page, member.email);
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
  await acceptAsSignedIn(page, link, "Shared Billing");
  await page.goto(`/w/${owner.slug}/billing`);
  await expect(page.getByTitle("Your role in this workspace")).toHaveText("Member");
  await expect(page.getByTestId("plan-name")).toHaveText("Pro");
  await expect(page.getByTestId("usage-compute-text")).toHaveText("10,000 / 10,000 compute units");
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

async function buyPack(page: Page, slug: string) {
  await page.goto(`/w/${slug}/extras`);
  await page.getByTestId("pack-compute_500").getByRole("button", { name: "Buy 500 compute" }).click();
  await expect(page).toHaveURL(/\/checkout\/cs_/);
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByLabel("Expiration").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByLabel("Cardholder name").fill("Ada Owner");
  await page.getByRole("button", { name: "Pay" }).click();
  await page.waitForURL(new RegExp(`/w/${slug}/billing\\?checkout=success`));
}

type Row = { id: string; kind: string; units: string; balance: string };

async function rowsOnPage(page: Page): Promise<Row[]> {
  return page.getByTestId("ledger-row").evaluateAll((trs) =>
    trs.map((tr) => ({ id: tr.getAttribute("data-entry-id")!, kind: tr.getAttribute("data-kind")!, units: tr.getAttribute("data-units")!, balance: tr.getAttribute("data-balance")! })),
  );
}

function parseCsv(text: string): string[][] {
  // Our export quotes only fields with commas, quotes or line breaks; none of these rows have them.
  return text.split("\r\n").filter(Boolean).map((line) => line.split(","));
}

test("ledger: pages, a filter, causes, and a CSV that matches", async ({ page, request }) => {
  test.setTimeout(120_000);
  const { slug } = await signUp(page, { workspace: "Ledger Ltd" });
  const secret = await createKey(page, slug);
  await buyPack(page, slug);
  // The Free quota (100) first, then 30 single units paid from extras: one debit entry each.
  expect((await report(request, secret, "compute", 100)).status()).toBe(200);
  for (let i = 0; i < 30; i++) expect((await report(request, secret, "compute", 1, { action: "overflow" })).status()).toBe(200);

  await page.goto(`/w/${slug}/billing`);
  await expect(page.getByTestId("extras-balance")).toHaveText("470");
  await expect(page.getByTestId("alert-quota_full-compute")).toContainText("New compute units are now paid from your extras (470 left)");

  await page.goto(`/w/${slug}/ledger`);
  const first = await rowsOnPage(page);
  expect(first).toHaveLength(25);
  expect(first[0]).toMatchObject({ kind: "debit", units: "-1", balance: "470" });
  expect(first[24]).toMatchObject({ kind: "debit", units: "-1", balance: "494" });
  await expect(page.getByRole("link", { name: "← Newer" })).toHaveCount(0);
  await page.getByRole("link", { name: "Older →" }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(page.getByTestId("ledger-row")).toHaveCount(6);
  const second = await rowsOnPage(page);
  expect(second.map((r) => [r.kind, r.units, r.balance])).toEqual([
    ["debit", "-1", "495"],
    ["debit", "-1", "496"],
    ["debit", "-1", "497"],
    ["debit", "-1", "498"],
    ["debit", "-1", "499"],
    ["topup", "500", "500"],
  ]);
  await expect(page.getByRole("link", { name: "Older →" })).toHaveCount(0);
  await expect(page.getByTestId("ledger-row").last()).toContainText("Extras purchase");
  await page.getByRole("link", { name: "← Newer" }).click();
  await expect(page).toHaveURL(/before=/);
  await expect(page.getByTestId("ledger-row")).toHaveCount(25);
  expect(await rowsOnPage(page)).toEqual(first);

  // Each debit links to the usage event that caused it.
  await page.getByTestId("ledger-row").first().getByRole("link", { name: /Usage event/ }).click();
  await expect(page.getByTestId("usage-event")).toContainText("1 compute unit: 0 from the quota, 1 from extras");
  await expect(page.getByTestId("usage-event")).toContainText("\u22121 extras, balance after 470");

  await page.goto(`/w/${slug}/ledger`);
  await page.getByLabel("Kind").selectOption("topup");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/kind=topup/);
  await expect(page.getByTestId("ledger-row")).toHaveCount(1);
  const topups = await rowsOnPage(page);
  expect(topups.map((r) => [r.kind, r.units, r.balance])).toEqual([["topup", "500", "500"]]);

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV (top-up)" }).click();
  const topupCsv = parseCsv(fs.readFileSync((await (await download).path())!, "utf8"));
  expect(topupCsv[0]).toEqual(["entry_id", "created_at", "seq", "kind", "units", "balance_after", "cause_type", "cause_id", "lot_id", "memo"]);
  expect(topupCsv.slice(1).map((r) => [r[0], r[3], r[4], r[5], r[6]])).toEqual([[topups[0]!.id, "topup", "500", "500", "checkout_session"]]);

  // The whole ledger's CSV has exactly the rows of both pages, in the same order.
  await page.getByRole("link", { name: "Clear filter" }).click();
  await expect(page.getByTestId("ledger-row")).toHaveCount(25);
  const all = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV" }).click();
  const file = await all;
  expect(file.suggestedFilename()).toMatch(new RegExp(`^ledger-${slug}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const csv = parseCsv(fs.readFileSync((await file.path())!, "utf8"));
  expect(csv.slice(1).map((r) => ({ id: r[0], kind: r[3], units: r[4], balance: r[5] }))).toEqual([...first, ...second]);
});

test("the ledger export checks membership on the server", async ({ page, browser }) => {
  const { slug } = await signUp(page, { workspace: "Private Books" });
  const mine = await page.request.get(`/w/${slug}/ledger/export`);
  expect(mine.status()).toBe(200);
  expect(mine.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  const anonymous = await browser.newContext();
  const origin = new URL(page.url()).origin;
  expect((await anonymous.request.get(`${origin}/w/${slug}/ledger/export`)).status()).toBe(401);
  await anonymous.close();
  await signOut(page);
  await signUp(page, { workspace: "Someone Else" });
  const other = await page.request.get(`/w/${slug}/ledger/export`);
  expect(other.status()).toBe(404);
  expect(await other.text()).not.toContain("entry_id");
});
