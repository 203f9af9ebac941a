// Operators create platform keys in the console: shown once, listed by prefix with their last use, revocable.
import { expect, test } from "@playwright/test";
import { KEYS_OPERATOR_EMAIL } from "../playwright.config";
import { confirmIn, signUp } from "./helpers";

test("an operator creates a platform key (shown once), it works for any workspace, and revoking it stops it", async ({ page, request }) => {
  await signUp(page, { email: KEYS_OPERATOR_EMAIL, workspace: "Keys Ops" });
  await page.goto("/admin");
  await page.getByRole("link", { name: "Platform keys" }).click();
  await expect(page.getByRole("heading", { name: "Platform keys" })).toBeVisible();
  await page.getByLabel("Key name").fill("Production backend");
  await page.getByRole("button", { name: "Create platform key" }).click();
  const secret = (await page.getByLabel("New platform key").textContent())!.trim();
  expect(secret).toMatch(/^tk_platform_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
  await page.screenshot({ path: "test-results/platform-keys-created-1280.png", fullPage: true });

  const externalId = `org_${Date.now().toString(36)}`;
  const provisioned = await request.post("/api/v1/workspaces", { headers: { authorization: `Bearer ${secret}` }, data: { externalId, name: "Provisioned Co" } });
  expect(provisioned.status()).toBe(201);

  await page.reload();
  const row = page.getByTestId(`platform-key-${secret.slice(0, 20)}`);
  await expect(row).toContainText("Production backend");
  await expect(row).toContainText("Active");
  await expect(row).not.toContainText("Never");
  await expect(page.getByText(secret)).toHaveCount(0);
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: "test-results/platform-keys-375.png", fullPage: true });

  // Revoking asks first, in a dialog that fits a phone.
  await row.getByRole("button", { name: "Revoke Production backend" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("Every request with this key, for every workspace, is refused immediately.");
  // On screen from the first frame of its opening animation to the last.
  const frames = await dialog.evaluate((el) => {
    // Played again from the start (it may be over by now), then looked at frame by frame.
    (el as HTMLElement).style.animation = "none";
    void (el as HTMLElement).offsetWidth;
    (el as HTMLElement).style.animation = "";
    if (el.getAnimations().length === 0) return [];
    const at = (t: number) => {
      for (const a of el.getAnimations()) {
        a.pause();
        a.currentTime = t;
      }
      const r = el.getBoundingClientRect();
      return [Math.round(r.left), Math.round(r.right)];
    };
    const seen = [at(0), at(75)];
    for (const a of el.getAnimations()) a.finish();
    return seen;
  });
  expect(frames).toHaveLength(2);
  for (const [left, right] of frames) expect([left! >= 0, right! <= 375]).toEqual([true, true]);
  await page.screenshot({ path: "test-results/platform-keys-revoke-375.png" });
  await confirmIn(page, "Yes, revoke key");
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(row).toContainText("Revoked");
  const refused = await request.get(`/api/v1/workspaces/${externalId}`, { headers: { authorization: `Bearer ${secret}` } });
  expect(refused.status()).toBe(401);

  await page.goto("/admin/audit");
  await expect(page.getByRole("main")).toContainText("platform_key.revoked");
});
