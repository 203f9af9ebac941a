import { expect, test } from "@playwright/test";
import { signIn, signOut, signUp } from "./helpers";
import { acceptAsSignedIn, invite } from "./invite-helpers";

test("a user of workspace A gets 404 on workspace B's billing page", async ({ page }) => {
  const b = await signUp(page, { workspace: "Workspace B" });
  await signOut(page);
  await signUp(page, { workspace: "Workspace A" });
  const response = await page.goto(`/w/${b.slug}/billing`);
  expect(response?.status()).toBe(404);
  await expect(page.getByText("Workspace B")).toHaveCount(0);
});

test("the last owner cannot be demoted or removed", async ({ page }) => {
  const { email, slug } = await signUp(page);
  await page.goto(`/w/${slug}/members`);
  const row = page.getByTestId(`member-${email}`);
  await row.getByLabel(`Role for ${email}`).selectOption("MEMBER");
  await row.getByRole("button", { name: "Save" }).click();
  await row.getByRole("button", { name: "Yes, change role" }).click();
  await expect(row.getByRole("alert")).toHaveText("A workspace needs at least one owner: make someone else an owner first.");
  await row.getByLabel(`Role for ${email}`).selectOption("REMOVE");
  await row.getByRole("button", { name: "Save" }).click();
  await row.getByRole("button", { name: "Yes, remove" }).click();
  await expect(row.getByRole("alert")).toHaveText("A workspace needs at least one owner: make someone else an owner first.");
  await page.reload();
  await expect(page.getByTestId(`member-${email}`).getByLabel(`Role for ${email}`)).toHaveValue("OWNER");
});

test("an invited existing user accepts and then sees the workspace as a member, without member controls", async ({ page }) => {
  const member = await signUp(page, { workspace: "Member's own" });
  await signOut(page);
  const owner = await signUp(page, { workspace: "Shared Space" });
  const link = await invite(page, owner.slug, member.email);
  await signOut(page);
  await signIn(page, member.email);
  await acceptAsSignedIn(page, link, "Shared Space");
  await page.goto(`/w/${owner.slug}/members`);
  await expect(page.getByTitle("Your role in this workspace")).toHaveText("Member");
  await expect(page.getByRole("heading", { name: "Invite someone" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
});
