import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { Client } from "pg";
import { failOnCspViolations } from "./csp";
import { formatMoney } from "../lib/format";
import { confirmIn, payOnCheckoutPage, signUp } from "./helpers";

failOnCspViolations();

// The server under test keeps its generated secrets and the URL of its database here (see scripts/serve.ts).
const dataDir = path.resolve(process.env.TALLY_DATA_DIR ?? ".data/e2e");
const DAY = 86_400_000;

/** "Nov 28, 2026", as the billing overview writes dates (UTC). */
const shortDate = (d: Date) => d.toLocaleDateString("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
/** "November 28, 2026", as the plans page writes dates (UTC). */
const longDate = (d: Date) => d.toLocaleDateString("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });

/** Chooses a paid plan (monthly) on the plans page, pays with 4242, and waits for the billing page to confirm it. */
async function subscribe(page: Page, slug: string, plan: "Starter" | "Pro") {
  await page.goto(`/w/${slug}/plans`);
  await page.getByTestId(`plan-${plan.toLowerCase()}`).getByRole("button", { name: `Choose ${plan}` }).click();
  await payOnCheckoutPage(page);
  await page.waitForURL(new RegExp(`/w/${slug}/billing\\?checkout=success&session_id=cs_`));
  await expect(page.getByTestId("checkout-return")).toContainText(`Thanks! Your ${plan} plan is active and its quotas apply now.`);
  // The return page syncs the session before reading the plan, so it shows the new plan even before the webhook.
  await expect(page.getByTestId("plan-name")).toHaveText(plan);
}

const computeBar = (page: Page) => page.getByTestId("usage-compute").getByRole("progressbar");

test("portal link: the plans page opens the billing portal for this customer, and its return link comes back", async ({ page }) => {
  const { email, slug } = await signUp(page, { workspace: "Portal Co" });
  await subscribe(page, slug, "Pro");

  await page.goto(`/w/${slug}/plans`);
  await page.getByRole("button", { name: "Open billing portal" }).click();
  await page.waitForURL(/\/portal\/bps_/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Tally");
  await expect(page.getByText(`${email} · test mode`)).toBeVisible();
  await expect(page.locator("#current-plan")).toHaveText("Tally Pro ($99.00/month)");
  await expect(page.locator("#subscription-status")).toHaveText("active");
  await expect(page.locator("#current-card")).toContainText("•••• 4242");

  await page.getByRole("link", { name: "Return to Tally" }).click();
  await page.waitForURL(new RegExp(`/w/${slug}/billing$`));
  await expect(page.getByTestId("plan-name")).toHaveText("Pro");
});

test("upgrade: the plans page shows Stripe's preview of the amount due today, the upgrade charges exactly that, and the compute limit becomes Pro's 10,000 a week", async ({ page }) => {
  test.setTimeout(120_000);
  const { slug } = await signUp(page, { workspace: "Upgrade Co" });
  await subscribe(page, slug, "Starter");
  await expect(computeBar(page)).toHaveAttribute("aria-valuemax", "1000");

  await page.goto(`/w/${slug}/plans`);
  const pro = page.getByTestId("plan-pro");
  const preview = pro.getByTestId("upgrade-preview-pro");
  const cents = Number(await preview.getAttribute("data-amount-cents"));
  // Starter's $9.99 already paid for this month is credited: Pro's $99 less that, prorated, a little under $89.01.
  expect(cents).toBeGreaterThan(8_800);
  expect(cents).toBeLessThanOrEqual(8_901);
  const due = formatMoney(cents);
  await expect(preview).toContainText(`Due today${due} prorated for the rest of this period`);
  await expect(pro).toContainText(`Applies now: you pay ${due} today, and Pro's quotas apply at once.`);
  fs.mkdirSync("e2e/artifacts", { recursive: true });
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.screenshot({ path: `e2e/artifacts/overview-plans-upgrade-preview-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  // A few seconds pass before the click, as they would for anyone reading the dialog.
  await page.waitForTimeout(2_000);
  await pro.getByRole("button", { name: "Upgrade to Pro now" }).click();
  await expect(page.getByRole("alertdialog")).toContainText(`Your card on file is charged ${due} today: the prorated difference between Starter and Pro`);
  await page.screenshot({ path: "e2e/artifacts/overview-plans-upgrade-confirm-1280.png" });
  await confirmIn(page, "Yes, upgrade and pay now");
  await expect(pro).toContainText("This is your current plan.");
  await expect(page.getByTestId("subscription-summary")).toContainText("Pro, billed every month — active; renews on");

  await page.goto(`/w/${slug}/billing`);
  await expect(page.getByTestId("plan-name")).toHaveText("Pro");
  await expect(computeBar(page)).toHaveAttribute("aria-valuemax", "10000");
  await expect(page.getByTestId("usage-compute-text")).toHaveText("0 / 10,000 compute units");

  // The upgrade's invoice, as Stripe (the emulator) issued and charged it, is the previewed amount.
  await expect(async () => {
    await page.goto(`/w/${slug}/invoices`);
    const newest = page.getByTestId("invoice-row").first();
    await expect(newest).toContainText(due, { timeout: 1_000 });
    await expect(newest.getByTestId("invoice-status")).toHaveText("Paid", { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
});

test("downgrade: scheduled for the period end, shown with its date, then cancelled; Pro stays", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Downgrade Co" });
  await subscribe(page, slug, "Pro");

  // The renewal date, as each page writes it; the downgrade must take effect on exactly that day.
  const renewal = (await page.getByText(/^Billed monthly; the next renewal is on /).innerText()).match(/renewal is on (\w{3} \d{1,2}, \d{4})\.$/)?.[1];
  expect(renewal).toBeTruthy();
  const periodEnd = new Date(`${renewal} 12:00 UTC`);
  const daysAhead = (periodEnd.getTime() - Date.now()) / DAY;
  expect(daysAhead).toBeGreaterThan(26);
  expect(daysAhead).toBeLessThan(33);
  const longEnd = longDate(periodEnd);

  await page.goto(`/w/${slug}/plans`);
  const summary = page.getByTestId("subscription-summary");
  await expect(summary).toHaveText(`Pro, billed every month — active; renews on ${longEnd}.`);
  const starter = page.getByTestId("plan-starter");
  await expect(starter).toContainText(`Takes effect on ${longEnd}, at renewal. You keep Pro and its quotas until then, and can cancel the change before it happens.`);
  await starter.getByRole("button", { name: "Switch to Starter at renewal" }).click();
  await expect(page.getByRole("alertdialog")).toContainText(`On ${longEnd} the workspace moves to Starter`);
  await confirmIn(page, "Yes, switch to Starter");

  const pending = page.getByTestId("pending-change");
  await expect(pending).toContainText(`Scheduled: moves to Starter (monthly) on ${longEnd}. Until then you keep Pro.`);
  await expect(starter).toContainText(`Scheduled to start on ${longEnd}.`);
  await expect(page.getByTestId("plan-pro")).toContainText("This is your current plan.");

  await page.goto(`/w/${slug}/billing`);
  await expect(page.getByTestId("plan-name")).toHaveText("Pro");
  await expect(page.getByTestId("pending-change")).toHaveText(`Scheduled change: moves to Starter (billed monthly) on ${renewal}. Until then you keep Pro's limits.`);
  await expect(computeBar(page)).toHaveAttribute("aria-valuemax", "10000");

  await page.goto(`/w/${slug}/plans`);
  await pending.getByRole("button", { name: "Cancel scheduled change" }).click();
  await expect(pending).toHaveCount(0);
  await expect(summary).toHaveText(`Pro, billed every month — active; renews on ${longEnd}.`);
  await expect(starter.getByRole("button", { name: "Switch to Starter at renewal" })).toBeVisible();

  await page.goto(`/w/${slug}/billing`);
  await expect(page.getByTestId("plan-name")).toHaveText("Pro");
  await expect(page.getByTestId("pending-change")).toHaveCount(0);
  await expect(page.getByText(`Billed monthly; the next renewal is on ${renewal}.`)).toBeVisible();
  await expect(computeBar(page)).toHaveAttribute("aria-valuemax", "10000");
});

/** Starts Pro's 7-day trial from the plans page of a workspace on Free; returns the days the trial may end on. */
async function startProTrial(page: Page, slug: string) {
  await page.goto(`/w/${slug}/plans`);
  const pro = page.getByTestId("plan-pro");
  await expect(pro).toContainText("Or try Pro free for 7 days with no card; it ends by itself and the workspace returns to Free unless you subscribe.");
  const before = new Date(Date.now() + 7 * DAY);
  await pro.getByRole("button", { name: "Start 7-day trial" }).click();
  await expect(pro).toContainText("This is your current plan (trial until");
  const after = new Date(Date.now() + 7 * DAY);
  return [before, after];
}

test("trial: starting Pro's 7-day trial on Free shows the trial with 7 days left", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Trial Co" });
  await expect(page.getByTestId("plan-name")).toHaveText("Free");
  const ends = await startProTrial(page, slug);

  const longEnds = ends.map(longDate);
  await expect(page.getByTestId("plan-pro")).toContainText(new RegExp(`This is your current plan \\(trial until (${longEnds.join("|")})\\)\\.`));
  await expect(page.getByTestId("subscription-summary")).toContainText(new RegExp(`^Pro — on a free trial until (${longEnds.join("|")})\\.$`));
  // The trial's own plan can be subscribed to now, to keep it after the trial (monthly, the trial's interval).
  await expect(page.getByTestId("plan-pro")).toContainText("Subscribe now to keep Pro after your trial");
  await expect(page.getByTestId("checkout-pro").getByRole("button", { name: "Choose Pro" })).toBeVisible();
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `e2e/artifacts/plans-local-trial-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.goto(`/w/${slug}/billing`);
  await expect(page.getByTestId("plan-name")).toHaveText("Pro");
  await expect(page.getByRole("region", { name: "Plan" }).getByText("Trial", { exact: true })).toBeVisible();
  const notice = page.getByTestId("trial-notice");
  await expect(notice.locator("strong")).toHaveText("Trial: 7 days left.");
  await expect(notice).toContainText(new RegExp(`It ends on (${ends.map(shortDate).join("|")}); without a paid checkout by then the\\s+workspace moves to the Free plan\\.`));
  await expect(computeBar(page)).toHaveAttribute("aria-valuemax", "10000");
});

test("trial ended: once the trial's end has passed, the trials cron moves the workspace back to Free", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Expiring Trial Co" });
  await startProTrial(page, slug);
  await page.goto(`/w/${slug}/billing`);
  await expect(page.getByTestId("trial-notice")).toContainText("Trial: 7 days left.");

  // Time passes: the trial's end moves into the past. One connection, one statement, closed at once, while the page is idle.
  const databaseUrl = fs.readFileSync(path.join(dataDir, "database-url"), "utf8").trim();
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  let updated: number | null;
  try {
    const res = await client.query(
      `UPDATE "Subscription" SET "trialEndsAt" = now() - interval '1 minute'
       WHERE status = 'trialing' AND "workspaceId" = (SELECT id FROM "Workspace" WHERE slug = $1)`,
      [slug],
    );
    updated = res.rowCount;
  } finally {
    await client.end();
  }
  expect(updated).toBe(1);

  const { CRON_SECRET } = JSON.parse(fs.readFileSync(path.join(dataDir, "dev-secrets.json"), "utf8")) as { CRON_SECRET: string };
  const cron = await page.request.get("/api/cron/trials", { headers: { Authorization: `Bearer ${CRON_SECRET}` } });
  expect(cron.status()).toBe(200);
  const summary = (await cron.json()) as { route: string; skipped: boolean; ended: number };
  expect(summary.route).toBe("trials");
  expect(summary.skipped).toBe(false);
  expect(summary.ended).toBeGreaterThanOrEqual(1);

  // The billing overview says nothing about a trial that ended: it shows Free and Free's quota.
  await page.reload();
  await expect(page.getByTestId("plan-name")).toHaveText("Free");
  await expect(page.getByText("Free forever, with the limits below. Paid plans raise them.")).toBeVisible();
  await expect(page.getByTestId("trial-notice")).toHaveCount(0);
  await expect(computeBar(page)).toHaveAttribute("aria-valuemax", "100");
  await expect(page.getByTestId("usage-compute-text")).toHaveText("0 / 100 compute units");

  // The trial was used: the plans page offers checkout only.
  await page.goto(`/w/${slug}/plans`);
  await expect(page.getByTestId("subscription-summary")).toHaveText("Free — free forever; upgrade any time.");
  await expect(page.getByTestId("plan-free")).toContainText("This is your current plan.");
  await expect(page.getByRole("button", { name: "Start 7-day trial" })).toHaveCount(0);
  await expect(page.getByTestId("plan-pro").getByRole("button", { name: "Choose Pro" })).toBeVisible();
});
