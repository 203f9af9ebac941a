import { expect, test } from "@playwright/test";
import { signIn, signOut, signUp } from "./helpers";
import { acceptAsSignedIn, invite } from "./invite-helpers";

test("an owner creates a key (shown once), uses it, revokes it, and the API refuses it", async ({ page, request }) => {
  const { slug } = await signUp(page, { workspace: "Keys Inc" });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`/w/${slug}/api-keys`);
  await expect(page.getByRole("heading", { name: "API keys", level: 1 })).toBeVisible();
  await expect(page.getByText("No keys yet.")).toBeVisible();

  await page.getByLabel("Key name").fill("Production backend");
  await page.getByRole("button", { name: "Create key" }).click();
  const secretBox = page.getByLabel("New API key");
  await expect(secretBox).toHaveText(/^tk_live_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByText("this is the only time it is shown")).toBeVisible();
  const secret = (await secretBox.textContent())!;
  const prefix = secret.slice(0, 16);
  await expect(page.getByTestId(`api-key-${prefix}`)).toContainText("Production backend");
  await expect(page.getByTestId(`api-key-${prefix}`)).toContainText("Never");
  await page.screenshot({ path: "test-results/api-keys-1280.png", fullPage: true });

  const limits = await request.get("/api/v1/limitations", { headers: { authorization: `Bearer ${secret}` } });
  expect(limits.status()).toBe(200);
  const body = await limits.json();
  expect(body.plan.key).toBeTruthy();
  expect(body.entitlements.length).toBeGreaterThan(0);

  // Shown once: after a reload only the prefix remains, and the use above is listed.
  await page.reload();
  await expect(page.getByLabel("New API key")).toHaveCount(0);
  await expect(page.getByText(secret)).toHaveCount(0);
  await expect(page.getByTestId(`api-key-${prefix}`)).toContainText(`${prefix}_…`);
  await expect(page.getByTestId(`api-key-${prefix}`)).not.toContainText("Never");

  await page.setViewportSize({ width: 375, height: 812 });
  await page.getByRole("button", { name: "Revoke Production backend" }).click();
  await expect(page.getByText("Requests with this key are refused immediately")).toBeVisible();
  await page.screenshot({ path: "test-results/api-keys-375.png", fullPage: true });
  await page.getByRole("button", { name: "Yes, revoke key" }).click();
  await expect(page.getByTestId(`api-key-${prefix}`)).toContainText("Revoked");
  await expect(page.getByRole("heading", { name: "0 active keys" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Revoke Production backend" })).toHaveCount(0);

  const refused = await request.get("/api/v1/limitations", { headers: { authorization: `Bearer ${secret}` } });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe("unauthorized");
});

test("a member sees the keys read-only, without create or revoke controls", async ({ page }) => {
  const member = await signUp(page, { workspace: "Member's own" });
  await signOut(page);
  const owner = await signUp(page, { workspace: "Shared Keys" });
  await page.goto(`/w/${owner.slug}/api-keys`);
  await page.getByLabel("Key name").fill("CI");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByLabel("New API key")).toBeVisible();
  const link = await invite(page, owner.slug, member.email);
  await signOut(page);
  await signIn(page, member.email);
  await page.waitForURL(/\/w\//);
  await acceptAsSignedIn(page, link, "Shared Keys");
  await page.goto(`/w/${owner.slug}/api-keys`);
  await expect(page.getByText("Only owners and admins can create or revoke keys.")).toBeVisible();
  await expect(page.getByRole("list", { name: "API keys" })).toContainText("CI");
  await expect(page.getByLabel("Key name")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Revoke/ })).toHaveCount(0);
});

test("an owner whose email is not verified yet cannot create a key (a key can open checkouts through the API)", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Unverified Keys", verify: false });
  await page.goto(`/w/${slug}/api-keys`);
  await page.getByLabel("Key name").fill("Too early");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Verify your email address" })).toBeVisible();
  await expect(page.getByLabel("New API key")).toHaveCount(0);
  await page.reload();
  await expect(page.getByText("No keys yet.")).toBeVisible();
});
