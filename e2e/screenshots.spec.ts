import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

// Every billing page at a desktop and a phone width, saved for people to look at (e2e/artifacts is not committed).
const pages = ["billing", "plans", "extras", "ledger", "usage", "invoices", "api-keys", "members"] as const;
const widths = [1280, 375] as const;
const dir = "e2e/artifacts";

test("screenshots of every billing page at 1280 and 375 px", async ({ page, request }) => {
  test.setTimeout(120_000);
  fs.mkdirSync(dir, { recursive: true });
  const { slug } = await signUp(page, { workspace: "Screenshot Studio" });

  // Some usage first, so the bars, the alerts and the chart have something to show.
  await page.goto(`/w/${slug}/api-keys`);
  await page.getByLabel("Key name").fill("Screenshots");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByLabel("New API key").textContent())!.trim();
  const usage = [
    { feature: "compute", units: 62.5, metadata: { action: "summarize" } },
    { feature: "compute", units: 21, metadata: { action: "translate" } },
    { feature: "api_calls", units: 340 },
  ];
  for (const [i, u] of usage.entries()) {
    const res = await request.post("/api/v1/usage", { headers: { authorization: `Bearer ${secret}` }, data: { ...u, idempotencyKey: `shot-${Date.now()}-${i}` } });
    expect(res.status()).toBe(200);
  }

  for (const width of widths) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    for (const name of pages) {
      const response = await page.goto(`/w/${slug}/${name}`);
      // Pages still being built elsewhere may not exist yet; their screenshot shows that plainly.
      expect(response?.status(), name).toBeLessThan(500);
      await page.screenshot({ path: `${dir}/${name}-${width}.png`, fullPage: true });
    }
    await page.goto("/pricing");
    await page.screenshot({ path: `${dir}/pricing-${width}.png`, fullPage: true });
  }
});
