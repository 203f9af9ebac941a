import fs from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { expect, test, type Browser } from "@playwright/test";
import { linkIn } from "../tests/helpers/mailbox";
import { failOnCspViolations } from "./csp";
import { confirmIn, mailbox, PASSWORD, signIn, signOut, signUp, uniqueEmail } from "./helpers";
import { acceptAsSignedIn, invite } from "./invite-helpers";

failOnCspViolations();

// Every invitation arrives by email through the test SMTP server, and is followed from that email.

async function freshPage(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

test("a new person signs up through the emailed link and joins as the invited role", async ({ page, browser }) => {
  const { slug, email: ownerEmail } = await signUp(page, { workspace: "Invite Co", name: "Olive Owner" });
  const newcomer = uniqueEmail("newcomer");
  const link = await invite(page, slug, newcomer, "ADMIN");
  const pending = page.getByTestId(`invitation-${newcomer}`);
  await expect(pending).toContainText("Admin");
  await expect(pending).toContainText("Pending");
  const mail = (await mailbox().all({ to: newcomer })).at(-1)!;
  expect(mail.subject).toBe(`Olive Owner (${ownerEmail}) invited you to Invite Co on Tally`);
  expect(mail.text).toContain("Invite Co");
  expect(mail.text).toContain("as an admin");

  const guest = await freshPage(browser);
  await guest.page.goto(link);
  await expect(guest.page.getByRole("heading", { name: "Join Invite Co" })).toBeVisible();
  await expect(guest.page.getByLabel("Email")).toHaveValue(newcomer);
  await guest.page.getByLabel("Name").fill("Nia Newcomer");
  await guest.page.getByLabel("Password").fill(PASSWORD);
  await guest.page.getByRole("button", { name: "Create account and join Invite Co" }).click();
  await guest.page.waitForURL(`**/w/${slug}/billing`);
  await expect(guest.page.getByTitle("Your role in this workspace")).toHaveText("Admin");

  // The same link a second time is refused, in words.
  await guest.page.goto(link);
  await expect(guest.page.getByRole("main").getByRole("alert")).toHaveText(/^This invitation has already been used\./);
  await guest.context.close();

  await page.goto(`/w/${slug}/members`);
  await expect(page.getByTestId(`member-${newcomer}`)).toBeVisible();
  await expect(page.getByTestId(`invitation-${newcomer}`)).toHaveCount(0);
});

test("an existing user signs in from the link and accepts; until then they are not a member", async ({ page, browser }) => {
  const existing = await signUp(page, { workspace: "Their own" });
  await signOut(page);
  const { slug } = await signUp(page, { workspace: "Shared Space" });
  const link = await invite(page, slug, existing.email);
  await expect(page.getByTestId(`member-${existing.email}`)).toHaveCount(0);

  const guest = await freshPage(browser);
  expect((await guest.page.goto(`/w/${slug}/billing`))?.url()).toContain("/sign-in");
  await guest.page.goto(link);
  await guest.page.getByRole("link", { name: "Sign in to accept" }).click();
  await expect(guest.page).toHaveURL(/\/sign-in\?next=%2Finvite%2F/);
  // The sign-in form this link led to, which sends them back to the invitation.
  await guest.page.getByLabel("Email").fill(existing.email);
  await guest.page.getByLabel("Password").fill(PASSWORD);
  await guest.page.getByRole("button", { name: "Sign in" }).click();
  await guest.page.waitForURL(/\/invite\//);
  // Signed in but not yet a member: the workspace is still not theirs.
  const before = await guest.page.context().newPage();
  expect((await before.goto(`/w/${slug}/billing`))?.status()).toBe(404);
  await before.close();
  await guest.page.getByRole("button", { name: "Accept and join Shared Space" }).click();
  await guest.page.waitForURL(`**/w/${slug}/billing`);
  await expect(guest.page.getByTitle("Your role in this workspace")).toHaveText("Member");
  await guest.context.close();
});

test("signed in as someone else, the link says so and offers to switch; accepting is refused for them", async ({ page }) => {
  const { slug } = await signUp(page, { workspace: "Wrong Person Inc" });
  const link = await invite(page, slug, uniqueEmail("intended"));
  await page.goto(link);
  await expect(page.getByRole("main").getByRole("alert")).toContainText("but this invitation is for");
  await expect(page.getByRole("button", { name: /^Accept/ })).toHaveCount(0);
  await page.getByRole("button", { name: /^Sign out and continue as/ }).click();
  await expect(page).toHaveURL(/\/invite\//);
  await expect(page.getByRole("button", { name: "Create account and join Wrong Person Inc" })).toBeVisible();
});

test("resend replaces the link, revoke stops it, and an expired link is refused with its date", async ({ page, browser }) => {
  const { slug } = await signUp(page, { workspace: "Resend Ltd" });
  const email = uniqueEmail("resend");
  const first = await invite(page, slug, email);
  // The list's own answer: the invitation form above it still shows its "Invitation sent" from the first send.
  const answer = page.getByTestId("invitations").getByRole("status");

  await page.getByRole("button", { name: `Resend invitation to ${email}` }).click();
  await expect(answer).toHaveText(`Invitation sent to ${email}.`);
  const second = linkIn(await mailbox().waitFor({ to: email }, { count: 2 }), "/invite/");
  expect(second).not.toBe(first);

  const guest = await freshPage(browser);
  await guest.page.goto(first);
  await expect(guest.page.getByRole("main").getByRole("alert")).toHaveText("This invitation link is not valid. If you were sent a newer invitation, use the link in that email.");
  await guest.page.goto(second);
  await expect(guest.page.getByRole("heading", { name: "Join Resend Ltd" })).toBeVisible();

  // Time passes: the invitation's expiry moves into the past.
  const dataDir = process.env.TALLY_DATA_DIR ?? ".data/e2e";
  const client = new Client({ connectionString: fs.readFileSync(path.join(dataDir, "database-url"), "utf8").trim(), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const res = await client.query(`UPDATE "Invitation" SET "expiresAt" = now() - interval '1 minute' WHERE email = $1 AND status = 'pending'`, [email]);
    expect(res.rowCount).toBe(1);
  } finally {
    await client.end();
  }
  await guest.page.reload();
  await expect(guest.page.getByRole("main").getByRole("alert")).toHaveText(/^This invitation expired on [A-Z][a-z]+ \d{1,2}, \d{4}\. Ask .+ to send a new one\.$/);
  await page.goto(`/w/${slug}/members`);
  await expect(page.getByTestId(`invitation-${email}`)).toContainText("Expired");

  // A resend revives it with a new link; revoking then stops that link too.
  await page.getByRole("button", { name: `Resend invitation to ${email}` }).click();
  await expect(answer).toHaveText(`Invitation sent to ${email}.`);
  const third = linkIn(await mailbox().waitFor({ to: email }, { count: 3 }), "/invite/");
  await page.getByRole("button", { name: `Revoke invitation to ${email}` }).click();
  await confirmIn(page, "Yes, revoke invitation");
  await expect(answer).toHaveText(`The invitation to ${email} was revoked; its link no longer works.`);
  await expect(page.getByTestId(`invitation-${email}`)).toHaveCount(0);
  await guest.page.goto(third);
  await expect(guest.page.getByRole("main").getByRole("alert")).toHaveText("This invitation was revoked by the workspace. Ask the person who invited you for a new one.");
  await guest.context.close();
});

test("removing an admin offers to revoke the keys they created, and their key then stops working", async ({ page, request }) => {
  const admin = await signUp(page, { workspace: "Admin's own" });
  await signOut(page);
  const owner = await signUp(page, { workspace: "Key Owners" });
  const link = await invite(page, owner.slug, admin.email, "ADMIN");
  await signOut(page);

  await signIn(page, admin.email);
  await acceptAsSignedIn(page, link, "Key Owners");
  await page.goto(`/w/${owner.slug}/api-keys`);
  await page.getByLabel("Key name").fill("Admin's integration");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByLabel("New API key").textContent())!.trim();
  await signOut(page);

  await signIn(page, owner.email);
  await page.goto(`/w/${owner.slug}/api-keys`);
  await expect(page.getByRole("list", { name: "API keys" })).toContainText(`Created by`);
  await expect(page.getByRole("list", { name: "API keys" })).toContainText(admin.email);
  await page.goto(`/w/${owner.slug}/members`);
  const row = page.getByTestId(`member-${admin.email}`);
  await expect(row).toContainText("Created 1 active API key");
  await row.getByLabel(`Role for ${admin.email}`).selectOption("REMOVE");
  await row.getByRole("button", { name: "Save" }).click();
  const confirm = row.getByRole("group", { name: `Confirm changes to ${admin.email}` });
  await expect(confirm).toContainText("Also revoke the API key they created (“Admin's integration”)");
  await expect(confirm.getByRole("checkbox")).toBeChecked();
  await confirm.getByRole("button", { name: "Yes, remove" }).click();
  await expect(page.getByRole("status")).toHaveText(`${admin.email} was removed from the workspace. 1 API key they created was revoked.`);
  await expect(page.getByTestId(`member-${admin.email}`)).toHaveCount(0);
  expect((await request.get("/api/v1/limitations", { headers: { authorization: `Bearer ${secret}` } })).status()).toBe(401);
});
