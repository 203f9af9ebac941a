import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { failOnCspViolations } from "./csp";
import { signUp } from "./helpers";

failOnCspViolations();

const dir = "e2e/artifacts";
const DAY_MS = 86_400_000;
const shortDay = (d: Date) => new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" }).format(d);

/** Points the mouse at the middle of day `i` (of `n`) in a chart, where both the drawn and the interactive chart put it. */
async function hoverDay(page: Page, chart: ReturnType<Page["getByTestId"]>, i: number, n: number) {
  const box = (await chart.locator("[data-interactive]").boundingBox())!;
  const plotLeft = box.x + 44;
  const plotWidth = box.width - 44 - 16;
  // The last day sits at the plot's right edge; at 90 days on a phone a day is 3 px wide, so aim inside it.
  const x = i === n - 1 ? plotLeft + plotWidth - 1 : plotLeft + ((i + 0.5) / n) * plotWidth;
  await page.mouse.move(x, box.y + box.height / 2, { steps: 4 });
}

/** Opens the table view (it stays open across a change of range, so a click could close it). */
const openTable = (page: Page) => page.locator("details").filter({ hasText: "Show the numbers as a table" }).evaluate((d) => ((d as HTMLDetailsElement).open = true));

test("the usage chart's range is in the address, its tooltip follows the pointer, and it fits a phone", async ({ page, request }) => {
  test.setTimeout(120_000);
  fs.mkdirSync(dir, { recursive: true });
  const { slug } = await signUp(page, { workspace: "Chart Works" });
  await page.goto(`/w/${slug}/api-keys`);
  await page.getByLabel("Key name").fill("Chart");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByLabel("New API key").textContent())!.trim();
  for (const [i, units] of ["62.5", "21"].entries()) {
    const res = await request.post("/api/v1/usage", { headers: { authorization: `Bearer ${secret}` }, data: { feature: "compute", units, idempotencyKey: `chart-${Date.now()}-${i}` } });
    expect(res.status()).toBe(200);
  }
  const today = new Date();

  // 30 days by default; 7 and 90 are links, so the page is rendered for them on the server and can be shared.
  await page.goto(`/w/${slug}/usage`);
  const chart = page.getByTestId("chart-compute");
  await expect(page.getByRole("heading", { name: "Last 30 days" })).toBeVisible();
  await expect(chart).toContainText("83.5 compute units in 30 days");
  await expect(chart).toContainText(shortDay(new Date(today.getTime() - 29 * DAY_MS)));
  await page.getByRole("navigation", { name: "Range" }).getByRole("link", { name: "7 days" }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${slug}/usage\\?range=7$`));
  await expect(page.getByRole("heading", { name: "Last 7 days" })).toBeVisible();
  await expect(page.getByRole("link", { name: "7 days" })).toHaveAttribute("aria-current", "page");
  await expect(chart).toContainText("83.5 compute units in 7 days");
  await expect(chart).toContainText(shortDay(new Date(today.getTime() - 6 * DAY_MS)));
  await expect(chart).not.toContainText(shortDay(new Date(today.getTime() - 29 * DAY_MS)));
  await openTable(page);
  await expect(page.getByRole("region", { name: "Daily usage table" }).locator("tbody tr")).toHaveCount(7);
  await expect(page.getByRole("region", { name: "Daily usage table" }).locator("tbody tr").last()).toContainText("83.5 of 100");
  await page.getByRole("link", { name: "90 days" }).click();
  await expect(page).toHaveURL(/\?range=90$/);
  await expect(chart).toContainText("83.5 compute units in 90 days");
  await expect(chart).toContainText(shortDay(new Date(today.getTime() - 89 * DAY_MS)));
  await openTable(page);
  await expect(page.getByRole("region", { name: "Daily usage table" }).locator("tbody tr")).toHaveCount(90);
  // A range the control does not offer reads as the default.
  await page.goto(`/w/${slug}/usage?range=3650`);
  await expect(page.getByRole("heading", { name: "Last 30 days" })).toBeVisible();

  // The chart library arrives when the pointer does; the tooltip shows the day under it.
  await page.goto(`/w/${slug}/usage?range=7`);
  await expect(chart.locator("[data-interactive]")).toHaveAttribute("data-interactive", "false");
  await hoverDay(page, chart, 6, 7);
  await expect(chart.locator("[data-interactive]")).toHaveAttribute("data-interactive", "true");
  const tooltip = chart.getByTestId("usage-tooltip");
  await expect(tooltip).toContainText(shortDay(today));
  await expect(tooltip).toContainText("83.5 compute units that day");
  await expect(tooltip).toContainText("83.5 so far this period");
  await expect(tooltip).toContainText("Quota 100");
  await hoverDay(page, chart, 2, 7);
  await expect(tooltip).toContainText(shortDay(new Date(today.getTime() - 4 * DAY_MS)));
  await expect(tooltip).toContainText("0 compute units that day");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${dir}/usage-tooltip-1280.png`, fullPage: true });

  // At 375 px: axis labels whole (100, not clipped), nothing scrolls sideways, and the tooltip works by touch-sized pointer too.
  await page.setViewportSize({ width: 375, height: 812 });
  for (const range of ["7", "30", "90"]) {
    await page.goto(`/w/${slug}/usage?range=${range}`);
    await expect(chart.getByText("100", { exact: true })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `range ${range} scrolls sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${dir}/usage-${range}d-375.png`, fullPage: true });
  }
  await hoverDay(page, chart, 89, 90);
  await expect(chart.getByTestId("usage-tooltip")).toContainText("83.5 compute units that day");
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${dir}/usage-tooltip-375.png`, fullPage: true });
});
