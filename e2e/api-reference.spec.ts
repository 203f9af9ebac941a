import { expect, test } from "@playwright/test";
import { failOnCspViolations } from "./csp";

failOnCspViolations();

test("the API reference renders every operation from /api/v1/openapi.json with nothing loaded from outside the app", async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const outside: string[] = [];
  // The network beyond this server is cut: any request elsewhere fails, and is listed here.
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    outside.push(url);
    return route.abort("internetdisconnected");
  });
  const scripts: string[] = [];
  page.on("request", (r) => {
    if (r.resourceType() === "script") scripts.push(r.url());
  });

  await page.goto("/docs/api");
  await expect(page.getByRole("heading", { name: /Tally metering API/ })).toBeVisible();
  for (const path of ["/api/v1/usage", "/api/v1/usage/batch", "/api/v1/check", "/api/v1/limitations", "/api/v1/ping", "/api/v1/openapi.json"]) {
    await expect(page.locator(`.opblock-summary-path[data-path="${path}"]`)).toBeVisible();
  }
  // An operation opens to its documented error codes and examples.
  await page.locator('.opblock-summary-path[data-path="/api/v1/usage"]').click();
  await expect(page.locator(".responses-table").getByText("quota_exhausted: not enough quota", { exact: false })).toBeVisible();
  await page.screenshot({ path: "test-results/api-reference-1280.png", fullPage: false });
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: "test-results/api-reference-375.png", fullPage: false });

  expect(outside).toEqual([]);
  expect(scripts.every((u) => u.startsWith(`${origin}/docs/api/assets/`))).toBe(true);
});

test("the reference's files are served by the app, and nothing else is", async ({ request }) => {
  const js = await request.get("/docs/api/assets/swagger-ui-bundle.js");
  expect(js.status()).toBe(200);
  expect(js.headers()["content-type"]).toContain("javascript");
  expect(js.headers()["cache-control"]).toContain("immutable");
  expect((await request.get("/docs/api/assets/swagger-ui.css")).status()).toBe(200);
  for (const name of ["package.json", "..%2Fpackage.json", "index.html", "swagger-ui-bundle.js.map"]) {
    expect((await request.get(`/docs/api/assets/${name}`)).status(), name).toBe(404);
  }
});

test("the app's own pages do not load the reference's bundle", async ({ page }) => {
  const scripts: string[] = [];
  page.on("request", (r) => {
    if (r.resourceType() === "script") scripts.push(r.url());
  });
  await page.goto("/pricing");
  await page.waitForLoadState("networkidle");
  expect(scripts.some((u) => u.includes("swagger"))).toBe(false);
});
