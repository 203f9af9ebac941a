import { execFileSync } from "node:child_process";
import fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { failOnCspViolations } from "./csp";
import { payOnCheckoutPage, signUp } from "./helpers";

failOnCspViolations();

const dir = "e2e/artifacts";

/** Screenshots at both widths (for people to look at) and an axe check of what is on screen now. */
async function shootAndCheck(page: Page, name: string) {
  fs.mkdirSync(dir, { recursive: true });
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(" ")} ${n.failureSummary ?? ""}`).slice(0, 3).join(" | ")}`), `${name} at ${width} px`).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${dir}/overview-${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Marks the loaded document, so a test can tell that the page updated itself rather than being reloaded. */
const markDocument = (page: Page) => page.evaluate(() => Object.assign(window, { __sameDocument: true }));
const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

test("first run: a new workspace's checklist creates a key, hands over a curl command holding it, and ticks itself once the event arrives", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "First Run Co" });
  const checklist = page.getByTestId("first-run");
  await expect(checklist.getByRole("heading", { name: "Get started: meter your first event" })).toBeVisible();
  await expect(page.getByTestId("first-run-progress")).toHaveText("0 of 3 steps done");
  await expect(page.getByTestId("first-run-key")).toHaveAttribute("data-done", "false");
  await expect(page.getByTestId("first-run-key")).toContainText("Step 1, to do: Create an API key");
  await expect(page.getByTestId("first-run-key").getByRole("link", { name: "API keys page" })).toHaveAttribute("href", `/w/${slug}/api-keys`);
  await expect(page.getByTestId("first-run-command")).toContainText('-H "Authorization: Bearer $TALLY_API_KEY"');
  await expect(page.getByTestId("first-run-key-note")).toHaveText("A key is shown only once, when it is created: use the one you saved, or create a new one.");
  await shootAndCheck(page, "first-run");

  await page.getByTestId("first-run-key").getByRole("button", { name: "Create a key" }).click();
  await expect(page.getByTestId("first-run-key")).toHaveAttribute("data-done", "true");
  await expect(page.getByTestId("first-run-progress")).toHaveText("1 of 3 steps done");
  const command = (await page.getByTestId("first-run-command").textContent())!;
  expect(command).toMatch(/Bearer tk_live_[0-9a-f]{8}_[A-Za-z0-9_-]{43}"/);
  await expect(page.getByTestId("first-run-key-note")).toContainText("This is the only time the key is shown");
  await expect(page.getByTestId("first-run-bar")).toContainText("Waiting for your first event; this page checks by itself.");
  await expect(page.getByTestId("usage-compute-text")).toHaveText("0 / 100 compute units");
  await markDocument(page);

  // The command, exactly as shown, run from a terminal.
  const argv = command.replace(/\\\n\s*/g, " ").match(/'[^']*'|"[^"]*"|\S+/g)!.map((a) => a.replace(/^(['"])(.*)\1$/, "$2"));
  const answer = JSON.parse(execFileSync(argv[0]!, [...argv.slice(1), "--silent"], { encoding: "utf8" })) as { allowed: boolean; units: unknown };
  expect(answer.allowed).toBe(true);

  // No reload: the page checks by itself, the bar moves and the finished checklist goes away.
  await expect(page.getByTestId("usage-compute-text")).toHaveText("1 / 100 compute units", { timeout: 15_000 });
  await expect(checklist).toHaveCount(0);
  expect(await sameDocument(page)).toBe(true);
});

test("first run: a key made on the API keys page ticks the first step with a placeholder in the command; the checklist can be dismissed", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Dismiss Co" });
  await page.goto(`/w/${slug}/api-keys`);
  await page.getByLabel("Key name").fill("Backend");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByLabel("New API key")).toBeVisible();

  await page.goto(`/w/${slug}/billing`);
  await expect(page.getByTestId("first-run-key")).toHaveAttribute("data-done", "true");
  await expect(page.getByTestId("first-run-event")).toHaveAttribute("data-done", "false");
  await expect(page.getByTestId("first-run-event")).toContainText("Step 2, to do: Send a first event");
  await expect(page.getByTestId("first-run-command")).toContainText("Bearer $TALLY_API_KEY");
  await expect(page.getByTestId("first-run-key-note")).toContainText("A key is shown only once");

  await page.getByRole("button", { name: "Dismiss the getting started checklist" }).click();
  await expect(page.getByTestId("first-run")).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("plan-name")).toHaveText("Free");
  await expect(page.getByTestId("first-run")).toHaveCount(0);
});

test("checkout return: before Stripe confirms, the billing page says it is confirming and refreshes itself until the plan shows", async ({ page, context }) => {
  const { slug } = await signUp(page, { workspace: "Confirming Co" });
  await page.goto(`/w/${slug}/plans`);
  await page.getByTestId("plan-pro").getByRole("button", { name: "Choose Pro" }).click();
  await expect(page).toHaveURL(/\/checkout\/cs_/);
  const sessionId = new URL(page.url()).pathname.match(/cs_[A-Za-z0-9_]+/)![0];

  // The return lands before the payment went through (a slow bank, a webhook still on its way).
  const billing = await context.newPage();
  await billing.goto(`/w/${slug}/billing?checkout=success&session_id=${sessionId}`);
  const notice = billing.getByTestId("checkout-return");
  await expect(notice).toHaveAttribute("data-pending", "true");
  await expect(notice).toContainText("Thanks! Your payment is being confirmed; this page will show the new plan in a moment.");
  await expect(billing.getByTestId("checkout-confirming")).toHaveText("Confirming with Stripe; this page updates by itself.");
  await expect(billing.getByTestId("plan-name")).toHaveText("Free");
  await shootAndCheck(billing, "checkout-confirming");
  await markDocument(billing);

  await payOnCheckoutPage(page);
  await expect(notice).toContainText("Thanks! Your Pro plan is active and its quotas apply now.", { timeout: 15_000 });
  await expect(notice).toHaveAttribute("data-pending", "false");
  await expect(billing.getByTestId("plan-name")).toHaveText("Pro");
  await expect(billing.getByTestId("checkout-confirming")).toHaveCount(0);
  expect(await sameDocument(billing)).toBe(true);
});

test("usage bars: compute comes first, and units paid by extras beyond the quota are the bar's second segment, said in words", async ({ page, request }) => {
  const { slug } = await signUp(page, { workspace: "Overage Co" });
  await page.goto(`/w/${slug}/extras`);
  await page.getByTestId("pack-compute_500").getByRole("button", { name: "Buy 500 compute" }).click();
  await payOnCheckoutPage(page);
  await page.waitForURL(new RegExp(`/w/${slug}/billing\\?checkout=success`));
  await expect(page.getByTestId("checkout-return")).toContainText("500 compute units were added");

  await page.goto(`/w/${slug}/api-keys`);
  await page.getByLabel("Key name").fill("Overage");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByLabel("New API key").textContent())!.trim();
  const report = (units: number, key: string) =>
    request.post("/api/v1/usage", { headers: { authorization: `Bearer ${secret}` }, data: { feature: "compute", units, idempotencyKey: `${key}-${Date.now()}` } });
  expect((await report(100, "quota")).status()).toBe(200);
  expect((await report(15, "extras")).status()).toBe(200);

  await page.goto(`/w/${slug}/billing`);
  const bars = page.getByRole("progressbar");
  await expect(bars.first()).toHaveAccessibleName("Compute");
  const compute = page.getByTestId("usage-compute");
  const bar = compute.getByRole("progressbar", { name: "Compute" });
  await expect(bar).toHaveAttribute("aria-valuenow", "100");
  await expect(bar).toHaveAttribute("aria-valuemax", "100");
  await expect(bar).toHaveAttribute("aria-valuetext", "100 / 100 compute units, 100%, limit reached, 15 more from extras");
  await expect(compute.getByTestId("usage-compute-text")).toHaveText("100 / 100 compute units");
  await expect(compute.getByTestId("usage-compute-extras")).toHaveText(" + 15 more from extras");
  const segment = compute.getByTestId("usage-compute-extras-segment");
  await expect(segment).toBeVisible();
  // 15 of 115 units: the second segment is about 13% of the bar.
  const [segmentBox, barBox] = [await segment.boundingBox(), await bar.boundingBox()];
  expect(segmentBox!.width / barBox!.width).toBeGreaterThan(0.1);
  expect(segmentBox!.width / barBox!.width).toBeLessThan(0.16);
  await shootAndCheck(page, "billing-overage");
});
