import { expect, test } from "@playwright/test";
import { OPERATOR_EMAIL } from "../playwright.config";
import { confirmIn, payOnCheckoutPage, signIn, signOut, signUp } from "./helpers";

test("an operator adjusts a customer's extras and refunds their pack; the audit log names the operator; nobody else sees the console", async ({ page }) => {
  // A customer buys a pack.
  const customer = await signUp(page, { workspace: "Customer Co" });
  await page.goto(`/w/${customer.slug}/extras`);
  await page.getByTestId("pack-compute_500").getByRole("button", { name: "Buy 500 compute" }).click();
  await payOnCheckoutPage(page);
  await expect(page.getByTestId("checkout-return")).toContainText("500 compute units were added");
  // And starts Pro's trial.
  await page.goto(`/w/${customer.slug}/plans`);
  await page.getByTestId("plan-pro").getByRole("button", { name: "Start 7-day trial" }).click();
  await expect(page.getByTestId("plan-pro")).toContainText("This is your current plan (trial until");
  // A billing change of the customer's own: the audit log names them.
  await page.goto(`/w/${customer.slug}/api-keys`);
  await page.getByLabel("Key name").fill("Audited backend");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByLabel("New API key")).toBeVisible();
  // Owners no longer refund themselves.
  await page.goto(`/w/${customer.slug}/extras`);
  await expect(page.getByRole("button", { name: "Refund" })).toHaveCount(0);

  // To a customer the console does not exist.
  for (const path of ["/admin", "/admin/workspaces", "/admin/audit", "/admin/stripe-events", "/admin/invariants"]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
  }
  await page.goto(`/w/${customer.slug}/billing`);
  await signOut(page);

  // The operator's account may exist already (another spec on the same server made it).
  await signIn(page, OPERATOR_EMAIL);
  if (new URL(page.url()).pathname.startsWith("/sign-in")) await signUp(page, { email: OPERATOR_EMAIL, workspace: "Ops" });
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("overview-mrr")).toBeVisible();
  await page.screenshot({ path: "test-results/console-overview-1280.png", fullPage: true });

  await page.goto("/admin/workspaces");
  await page.getByLabel("Search workspaces").fill(customer.email);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("admin-workspace-row")).toHaveCount(1);
  await page.getByRole("link", { name: "Customer Co" }).click();
  await expect(page.getByTestId("admin-workspace-name")).toHaveText("Customer Co");
  await expect(page.getByTestId("admin-extras-balance")).toHaveText("500");

  // A credit with a memo and an expiry.
  const adjust = page.getByTestId("adjust-form");
  await adjust.getByLabel("Units (signed)").fill("250");
  await adjust.getByLabel("Memo").fill("Outage credit, 1 Dec");
  await adjust.getByLabel("Expires in days").fill("30");
  await adjust.getByRole("button", { name: "Adjust extras" }).click();
  await confirmIn(page, "Yes, adjust extras");
  await expect(adjust.getByRole("status")).toContainText("Adjusted by 250 units; the balance is now 750.");
  // A bad amount is a form error, and nothing moves.
  await adjust.getByLabel("Units (signed)").fill("lots");
  await adjust.getByLabel("Memo").fill("typo");
  await adjust.getByRole("button", { name: "Adjust extras" }).click();
  await confirmIn(page, "Yes, adjust extras");
  await expect(adjust).toContainText("Enter a signed number of units");

  await page.reload();
  await expect(page.getByTestId("admin-extras-balance")).toHaveText("750");
  const purchase = page.getByTestId("admin-lot").filter({ hasText: "Purchase" });
  await purchase.getByRole("button", { name: "Refund" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("in full: $20");
  await confirmIn(page, "Yes, refund");
  // Refunded in full, the purchase has nothing left to refund: it says so in place of the form.
  await expect(purchase).toContainText("$20 refunded");
  await expect(purchase.getByRole("button", { name: "Refund" })).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("admin-extras-balance")).toHaveText("250");

  // The trial: extended by 7 days, then ended; the plan history says who and why.
  await expect(page.getByTestId("admin-plan")).toContainText("Status: Trial");
  await page.getByTestId("extend-trial-form").getByRole("button", { name: "Extend trial" }).click();
  await expect(page.getByTestId("extend-trial-form").getByRole("status")).toContainText("The trial now ends");
  await page.getByTestId("end-trial-form").getByRole("button", { name: "End trial now" }).click();
  await confirmIn(page, "Yes, end the trial");
  await expect(page.getByTestId("admin-plan")).toContainText("Status: Free");
  await expect(page.getByTestId("plan-history").locator("li").first()).toContainText(`Pro v1 → Free v1Operator by ${OPERATOR_EMAIL}`);
  await expect(page.getByTestId("plan-history").locator("li").nth(1)).toContainText("Free v1 → Pro v1Trial");
  // A lifetime window (the owner's seat) is held, not reset at its sentinel end.
  await expect(page.getByTestId("admin-window").filter({ hasText: "held" })).toHaveText("1 of 1, held until released");
  await page.screenshot({ path: "test-results/console-workspace-1280.png", fullPage: true });

  await page.goto("/admin/audit");
  const rows = page.getByTestId("audit-row");
  await expect(rows.filter({ hasText: "extras.refunded" })).toContainText(OPERATOR_EMAIL);
  await expect(rows.filter({ hasText: "extras.adjusted" })).toContainText("Outage credit, 1 Dec");
  // Other tests create keys too: the customer's own entry names them as a member.
  await expect(rows.filter({ hasText: "api_key.created" }).filter({ hasText: customer.email })).toHaveCount(1);
  await expect(rows.filter({ hasText: "api_key.created" }).filter({ hasText: customer.email })).toContainText("member");
  await page.getByLabel("Action").fill("extras.adjusted");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(rows).toHaveCount(1);
  await page.screenshot({ path: "test-results/console-audit-1280.png", fullPage: true });

  // Stripe's events: the pack's checkout completion, replayed, is never applied twice.
  await page.goto("/admin/stripe-events?type=checkout.session.completed");
  await page.getByTestId("stripe-event-row").first().getByRole("link").click();
  await expect(page.getByTestId("stripe-event-status")).toHaveText("Processed");
  await page.getByTestId("replay-form").getByRole("button", { name: "Replay" }).click();
  await expect(page.getByTestId("replay-form").getByRole("status")).toContainText("Already processed");
  await page.screenshot({ path: "test-results/console-stripe-event-1280.png", fullPage: true });

  await page.goto("/admin/invariants");
  await page.getByRole("button", { name: "Check now" }).click();
  await expect(page.getByRole("status")).toContainText("Checked: 0 critical");
  await page.goto("/admin/audit");
  await expect(page.getByTestId("audit-row").filter({ hasText: "invariants.checked" })).toContainText(OPERATOR_EMAIL);
  await expect(page.getByTestId("audit-row").filter({ hasText: "stripe_event.replayed" })).toContainText(OPERATOR_EMAIL);

  // On a phone every table fits: wide ones stack each row into a card instead of scrolling sideways.
  const tablesScrollingSideways = () =>
    page.evaluate(() => [...document.querySelectorAll("table")].filter((t) => t.parentElement!.scrollWidth > t.parentElement!.clientWidth + 1).length);
  await page.setViewportSize({ width: 375, height: 800 });
  for (const [path, name] of [["/admin", "overview"], ["/admin/audit", "audit"], ["/admin/stripe-events", "stripe-events"], ["/admin/invariants", "invariants"]] as const) {
    await page.goto(path);
    expect(await tablesScrollingSideways(), path).toBe(0);
    await page.screenshot({ path: `test-results/console-${name}-375.png`, fullPage: true });
  }
  await page.goto("/admin/workspaces");
  await page.getByLabel("Search workspaces").fill(customer.email);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: "Customer Co" }).click();
  await expect(page.getByTestId("admin-workspace-name")).toBeVisible();
  expect(await tablesScrollingSideways()).toBe(0);
  await page.screenshot({ path: "test-results/console-workspace-375.png", fullPage: true });
});
