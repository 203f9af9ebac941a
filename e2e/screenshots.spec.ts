import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { mailbox, signIn, signOut, signUp, uniqueEmail } from "./helpers";
import { acceptAsSignedIn, invite } from "./invite-helpers";
import { linkIn } from "../tests/helpers/mailbox";

// Every billing page at a desktop and a phone width, saved for people to look at (e2e/artifacts is not committed).
const pages = ["billing", "plans", "extras", "ledger", "usage", "invoices", "api-keys", "members"] as const;
const widths = [1280, 375] as const;
const dir = "e2e/artifacts";

test("screenshots of every billing page at 1280 and 375 px", async ({ page, request, browser }) => {
  test.setTimeout(240_000);
  fs.mkdirSync(dir, { recursive: true });
  const admin = await signUp(page, { workspace: "Admin's own", name: "Ari Admin" });
  await signOut(page);
  const { slug, email: ownerEmail } = await signUp(page, { workspace: "Screenshot Studio", name: "Sam Owner" });

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

  // Members: an admin who joined by invitation and made a key, then was made a member (the key is flagged),
  // and an invitation still pending.
  const adminLink = await invite(page, slug, admin.email, "ADMIN");
  const invitee = uniqueEmail("invitee");
  await invite(page, slug, invitee, "MEMBER");
  await signOut(page);
  await signIn(page, admin.email);
  await acceptAsSignedIn(page, adminLink, "Screenshot Studio");
  await page.goto(`/w/${slug}/api-keys`);
  await page.getByLabel("Key name").fill("Ari's import script");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByLabel("New API key")).toBeVisible();
  await signOut(page);
  await signIn(page, ownerEmail);
  await page.goto(`/w/${slug}/members`);
  const row = page.getByTestId(`member-${admin.email}`);
  await row.getByLabel(`Role for ${admin.email}`).selectOption("MEMBER");
  await row.getByRole("button", { name: "Save" }).click();
  await row.getByRole("checkbox").uncheck();
  await row.getByRole("button", { name: "Yes, change role" }).click();
  await expect(page.getByRole("status")).toHaveText(`${admin.email} is now a member.`);

  // The invitation page as the invited person sees it, signed out.
  const inviteLink = linkIn(await mailbox().waitFor({ to: invitee }), "/invite/");
  const guest = await browser.newContext();
  const guestPage = await guest.newPage();
  for (const width of widths) {
    await guestPage.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await guestPage.goto(inviteLink);
    await expect(guestPage.getByRole("heading", { name: "Join Screenshot Studio" })).toBeVisible();
    await guestPage.screenshot({ path: `${dir}/invitation-${width}.png`, fullPage: true });
  }
  await guest.close();

  // The members page with a removal being confirmed (the offer to revoke keys shows).
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`/w/${slug}/members`);
  await row.getByLabel(`Role for ${admin.email}`).selectOption("REMOVE");
  await row.getByRole("button", { name: "Save" }).click();
  await page.screenshot({ path: `${dir}/members-remove-confirm-1280.png`, fullPage: true });

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
