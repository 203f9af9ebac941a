import fs from "node:fs";
import { gzipSync } from "node:zlib";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { OPERATOR_EMAIL } from "../playwright.config";
import { signIn, signOut, signUp } from "./helpers";

// Every page at a desktop and a phone width: no serious or critical accessibility violation (axe, WCAG 2.1 A
// and AA), no sideways scrolling at 375 px, and a screenshot of each in e2e/artifacts for people to look at.
const widths = [1280, 375] as const;
const dir = "e2e/artifacts";

async function check(page: Page, name: string, path: string) {
  for (const width of widths) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    const response = await page.goto(path);
    expect(response?.status(), path).toBeLessThan(500);
    await page.waitForLoadState("networkidle");
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const serious = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(" | ")}`);
    expect(serious, `${path} at ${width} px`).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${path} scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${dir}/a11y-${name}-${width}.png`, fullPage: true });
  }
}

test.beforeAll(() => fs.mkdirSync(dir, { recursive: true }));

test("public and sign-in pages", async ({ page }) => {
  test.setTimeout(180_000);
  for (const [name, path] of [
    ["home", "/"], ["pricing", "/pricing"], ["sign-in", "/sign-in"], ["sign-up", "/sign-up"], ["forgot-password", "/forgot-password"],
    ["reset-password-expired", "/reset-password?token=no-longer-good"], ["verify-email-expired", "/verify-email?token=no-longer-good"],
    ["invite-unknown", "/invite/not-a-real-token"], ["not-found", "/no-such-page"],
  ] as const) await check(page, name, path);
});

test("workspace pages", async ({ page, request }) => {
  test.setTimeout(240_000);
  const { slug } = await signUp(page, { workspace: "Accessible Studio" });
  await page.goto(`/w/${slug}/api-keys`);
  await page.getByLabel("Key name").fill("Checks");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByLabel("New API key").textContent())!.trim();
  const res = await request.post("/api/v1/usage", { headers: { authorization: `Bearer ${secret}` }, data: { feature: "compute", units: 42, idempotencyKey: `a11y-${Date.now()}` } });
  expect(res.status()).toBe(200);
  for (const tab of ["billing", "plans", "extras", "ledger", "usage", "invoices", "api-keys", "members"]) await check(page, tab, `/w/${slug}/${tab}`);
  await check(page, "account", "/account");
  await check(page, "workspace-not-found", "/w/no-such-workspace/billing");

  // A confirmation dialog, open.
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto(`/w/${slug}/api-keys`);
  await page.getByRole("button", { name: "Revoke Checks" }).click();
  await expect(page.getByRole("alertdialog")).toBeVisible();
  const dialog = await new AxeBuilder({ page }).include("[role=alertdialog]").analyze();
  expect(dialog.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
  await page.screenshot({ path: `${dir}/a11y-confirm-dialog-375.png` });
});

test("console pages", async ({ page }) => {
  test.setTimeout(240_000);
  const customer = await signUp(page, { workspace: "Console Subject" });
  await signOut(page);
  await signIn(page, OPERATOR_EMAIL);
  if (new URL(page.url()).pathname.startsWith("/sign-in")) await signUp(page, { email: OPERATOR_EMAIL, workspace: "Ops" });
  await page.goto("/admin/workspaces");
  await page.getByLabel("Search workspaces").fill(customer.email);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: "Console Subject" }).click();
  await page.waitForURL(/\/admin\/workspaces\/[^/?]+$/);
  const workspacePath = new URL(page.url()).pathname;
  for (const [name, path] of [
    ["admin", "/admin"], ["admin-workspaces", "/admin/workspaces"], ["admin-workspace", workspacePath], ["admin-plans", "/admin/plans"],
    ["admin-plan", "/admin/plans/pro"], ["admin-model-prices", "/admin/model-prices"], ["admin-stripe-events", "/admin/stripe-events"],
    ["admin-invariants", "/admin/invariants"], ["admin-audit", "/admin/audit"],
  ] as const) await check(page, name, path);
});

test("each workspace page's JavaScript, gzipped, stays under 160 KB", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const { slug } = await signUp(page, { workspace: "Light Pages" });
  const state = await page.context().storageState();
  const sizes: Record<string, number> = {};
  for (const tab of ["billing", "plans", "extras", "ledger", "usage", "invoices", "api-keys", "members"]) {
    const fresh = await browser.newContext({ storageState: state });
    const tabPage = await fresh.newPage();
    const scripts = new Map<string, Promise<Buffer>>();
    tabPage.on("response", (r) => {
      if (r.request().resourceType() === "script" && r.ok()) scripts.set(r.url(), r.body());
    });
    await tabPage.goto(`/w/${slug}/${tab}`, { waitUntil: "networkidle" });
    let bytes = 0;
    const each: string[] = [];
    for (const [url, body] of scripts) {
      const size = gzipSync(await body).length;
      bytes += size;
      each.push(`${new URL(url).pathname.split("/").pop()}=${size}`);
    }
    sizes[tab] = bytes;
    console.log(`${tab}: ${each.join(" ")}`);
    await fresh.close();
  }
  console.log(`js gzip bytes per page: ${JSON.stringify(sizes)}`);
  for (const [tab, bytes] of Object.entries(sizes)) expect(bytes, tab).toBeLessThanOrEqual(160 * 1024);
});
