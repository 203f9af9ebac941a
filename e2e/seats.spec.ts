// Seats follow members: the bar counts them, inviting past the plan's seats is refused with the way out,
// and removing a member gives the seat back. Seats all in use are said at their bar, never as an alert above
// the page. Screenshots go to e2e/artifacts (not committed).
import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, shooter, signUp, uniqueEmail } from "./helpers";
import { invite, sendInvitation, startTrial } from "./invite-helpers";

const seatsText = (page: Page) => page.getByTestId("usage-seats-text");
const shoot = shooter("seats");

/** The seats bar at its limit: amber with words, a note on what adding a member takes, and no alert for it. */
async function expectSeatsAllInUse(page: Page, note: string) {
  const bar = page.getByTestId("usage-seats");
  await expect(bar).toHaveAttribute("data-level", "all_in_use");
  await expect(bar).toContainText("100% used · All in use");
  await expect(bar).not.toContainText("Limit reached");
  await expect(bar.getByRole("progressbar")).toHaveAttribute("aria-valuetext", /, 100%, all in use$/);
  await expect(page.getByTestId("usage-seats-note")).toHaveText(`${note} See plans`);
  await expect(page.getByTestId("alert-quota_full-seats")).toHaveCount(0);
  await expect(page.getByText(/Seats: all in use/i)).toHaveCount(0);
}

test("members fill the seats; past the limit the invitation is refused with the way out; removing a member frees a seat", async ({ page, browser }) => {
  const { slug } = await signUp(page, { workspace: "Seat Co", name: "Sam Owner" });
  await page.goto(`/w/${slug}/billing`);
  await expect(seatsText(page)).toHaveText("1 of 1 seat");
  // A new Free workspace: the owner's one seat is the plan's shape, not news, so nothing sits above the page.
  await expectSeatsAllInUse(page, "To add a member, upgrade the plan.");
  await expect(page.locator('[data-testid^="alert-"]')).toHaveCount(0);
  await shoot(page, "billing-new-free");

  // Free: the owner holds the only seat.
  const first = uniqueEmail("first");
  expect(await sendInvitation(page, slug, first)).toBe(false);
  await expect(page.getByText("Every seat is taken: your plan includes 1 seat. Upgrade the plan or remove a member to make room.").first()).toBeVisible();

  // Starter's trial: 3 seats. Two people join by their links.
  await startTrial(page, slug, "starter");
  const joined: string[] = [];
  for (const label of ["ana", "ben"]) {
    const email = uniqueEmail(label);
    const link = await invite(page, slug, email);
    const context = await browser.newContext();
    const guest = await context.newPage();
    await guest.goto(link);
    await guest.getByLabel("Name").fill(label);
    await guest.getByLabel("Password").fill(PASSWORD);
    await guest.getByRole("button", { name: "Create account and join Seat Co" }).click();
    await guest.waitForURL(`**/w/${slug}/billing`);
    await context.close();
    joined.push(email);
  }
  await page.goto(`/w/${slug}/billing`);
  await expect(seatsText(page)).toHaveText("3 of 3 seats");
  await expect(page.getByTestId("usage-seats").getByRole("progressbar")).toHaveAttribute("aria-valuenow", "3");

  // Full: refused, saying what to do.
  expect(await sendInvitation(page, slug, uniqueEmail("third"))).toBe(false);
  await expect(page.getByText("Every seat is taken: your plan includes 3 seats. Upgrade the plan or remove a member to make room.").first()).toBeVisible();
  await page.goto(`/w/${slug}/billing`);
  await expectSeatsAllInUse(page, "To add a member, remove one or upgrade the plan.");
  await expect(page.getByTestId("usage-seats-note").getByRole("link", { name: "See plans" })).toHaveAttribute("href", `/w/${slug}/plans`);
  await shoot(page, "billing-full-starter");

  // Removing a member releases their seat, and inviting works again.
  await page.goto(`/w/${slug}/members`);
  await page.getByLabel(`Role for ${joined[0]}`).selectOption("REMOVE");
  await page.getByTestId(`member-${joined[0]}`).getByRole("button", { name: "Save" }).click();
  await page.getByRole("button", { name: "Yes, remove" }).click();
  await expect(page.getByTestId(`member-${joined[0]}`)).toHaveCount(0);
  await page.goto(`/w/${slug}/billing`);
  await expect(seatsText(page)).toHaveText("2 of 3 seats");
  expect(await sendInvitation(page, slug, uniqueEmail("again"))).toBe(true);
});
