import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { OPERATOR_EMAIL } from "../playwright.config";
import { confirmIn, PASSWORD, payOnCheckoutPage, signIn, signOut, signUp } from "./helpers";

// Screenshots of the console's plan pages at a desktop and a phone width (e2e/artifacts is not committed).
const dir = "e2e/artifacts";
const shot = async (page: Page, name: string) => {
  fs.mkdirSync(dir, { recursive: true });
  for (const width of [1280, 375] as const) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.screenshot({ path: `${dir}/console-${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
};

/** The operator's session: signed up on a fresh server, signed in when another spec made the account first. */
async function asOperator(page: Page) {
  await signIn(page, OPERATOR_EMAIL, PASSWORD);
  if (new URL(page.url()).pathname.startsWith("/sign-in")) await signUp(page, { email: OPERATOR_EMAIL, workspace: "Ops" });
}

test("an operator versions a plan, migrates its subscriptions, moves, overrides and cancels a workspace, versions a model price and exports costs; the audit log names them", async ({ page }) => {
  test.setTimeout(240_000);
  // A customer on Max v1, paid through Stripe checkout.
  const customer = await signUp(page, { workspace: "Grandfathered Co" });
  await page.goto(`/w/${customer.slug}/plans`);
  await page.getByTestId("checkout-max").getByRole("button", { name: "Choose Max" }).click();
  await payOnCheckoutPage(page);
  await expect(page.getByTestId("plan-name")).toHaveText("Max");
  await signOut(page);

  await asOperator(page);
  await page.goto("/admin/plans");
  const max = page.getByTestId("plan-key-max");
  await expect(max.getByTestId("plan-version-row").first()).toContainText("active");
  await shot(page, "plans");

  // A new version: a higher price and a higher compute limit, reviewed (the diff), then published.
  await max.getByRole("link", { name: "New version" }).click();
  await expect(page.getByRole("heading", { name: "New version of Max" })).toBeVisible();
  const editor = page.getByTestId("plan-editor");
  await editor.getByLabel("Monthly price ($)").fill("549.99");
  await editor.getByLabel("compute limit").fill("80000");
  await expect(editor.getByRole("button", { name: /^Publish/ })).toHaveCount(0);
  await editor.getByRole("button", { name: "Review changes" }).click();
  const diff = page.getByTestId("plan-diff");
  await expect(diff.getByRole("row")).toHaveCount(3);
  await expect(diff).toContainText("Monthly price$499.99$549.99");
  await expect(diff).toContainText("compute limit6000080000");
  await shot(page, "plan-editor");
  // A bad field is a form error and publishes nothing.
  await editor.getByLabel("Annual price ($)").fill("lots");
  await editor.getByRole("button", { name: "Review changes" }).click();
  await expect(editor.getByRole("alert").first()).toContainText("annual: enter an amount");
  await editor.getByLabel("Annual price ($)").fill("4999.90");
  await editor.getByRole("button", { name: "Review changes" }).click();
  await editor.getByRole("button", { name: "Publish v2" }).click();
  await expect(editor.getByRole("status")).toContainText("Published Max v2: new subscriptions get it; existing ones keep theirs. Its Stripe prices are created.");

  // The customer, still on v1, sees the terms they have on their plan's card, not v2's.
  await signOut(page);
  await signIn(page, customer.email);
  await page.goto(`/w/${customer.slug}/plans`);
  await expect(page.getByTestId("plan-max")).toContainText("$499.99");
  await expect(page.getByTestId("plan-max")).toContainText("60,000 compute");
  await expect(page.getByTestId("plan-max")).not.toContainText("$549.99");
  await signOut(page);
  await asOperator(page);

  // v1 is grandfathered: its subscriptions stay on it until migrated. Preview, then migrate.
  await page.goto("/admin/plans/max");
  await expect(page.getByTestId("plan-version-2")).toContainText("$549.99 a month");
  await page.getByTestId("migrate-v1").getByRole("button", { name: "Preview migration" }).click();
  await expect(page.getByRole("heading", { name: "Migrate Max v1 → Max v2" })).toBeVisible();
  const row = page.getByTestId("preview-row").filter({ hasText: "Grandfathered Co" });
  await expect(row).toContainText("$499.99/mo");
  await expect(row).toContainText("$549.99/mo");
  await expect(row).toContainText("80,000");
  await expect(row).toContainText("no proration");
  await shot(page, "plan-migrate-preview");
  await page.getByTestId("start-migration").getByRole("button", { name: /^Start migration/ }).click();
  await expect(page.getByTestId("migration-status")).toHaveText("Done");
  const item = page.getByTestId("migration-item").filter({ hasText: "Grandfathered Co" });
  await expect(item.getByTestId("matches-preview")).toBeVisible();
  await shot(page, "plan-migration");

  // Archive v2 (no new subscriptions), then offer it again.
  await page.goto("/admin/plans/max");
  // (Each action re-renders the page: the form that did it gives way to the opposite one.)
  await page.getByTestId("archive-v2").getByRole("button", { name: "Archive" }).click();
  await expect(page.getByRole("heading", { name: "v2 · archived" })).toBeVisible();
  await page.getByTestId("restore-v2").getByRole("button", { name: "Offer again" }).click();
  await expect(page.getByRole("heading", { name: "v2 · active" })).toBeVisible();
  await expect(page.getByTestId("archive-v2")).toBeVisible();
  await shot(page, "plan-versions");

  // The workspace: on Max v2 by the operator's move; an override for compute.
  await page.goto("/admin/workspaces");
  await page.getByLabel("Search workspaces").fill(customer.email);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: "Grandfathered Co" }).click();
  await expect(page.getByTestId("admin-plan")).toContainText("Max (version 2)");
  await expect(page.getByTestId("plan-history").locator("li").first()).toContainText(`Max v1 → Max v2Operator by ${OPERATOR_EMAIL}`);
  const workspaceUrl = page.url();
  const override = page.getByTestId("override-form");
  await override.getByLabel("Feature").selectOption("compute");
  await override.getByLabel("Limit").fill("250000");
  await override.getByLabel("Ends at the start of (UTC)").fill("2031-01-31");
  await override.getByLabel("Memo").fill("Grandfathered Co contract");
  await override.getByRole("button", { name: "Set override" }).click();
  await expect(page.getByTestId("override-row")).toContainText("250,000 until");
  await expect(page.getByTestId("override-row")).toContainText("(in force)");

  // The customer sees the plan plus the agreement.
  await signOut(page);
  await signIn(page, customer.email);
  await page.goto(`/w/${customer.slug}/billing`);
  await expect(page.getByTestId("plan-overrides")).toContainText("Compute 250,000 instead of Max's limit, until");
  await shot(page, "customer-billing-override");
  await signOut(page);
  await asOperator(page);

  // End the override; preview a move to Pro, then move.
  await page.goto(workspaceUrl);
  await page.getByTestId("override-row").getByRole("button", { name: "End now" }).click();
  await confirmIn(page, "Yes, end the override");
  await expect(page.getByTestId("override-row")).toContainText("(ended");
  await page.getByTestId("move-plan-select").getByLabel("Move to version").selectOption({ label: "Pro v1" });
  await page.getByTestId("move-plan-select").getByRole("button", { name: "Preview move" }).click();
  const preview = page.getByTestId("move-preview");
  await expect(preview).toContainText("Max v2");
  await expect(preview).toContainText("$99/mo");
  await shot(page, "workspace-move-preview");
  await page.getByTestId("move-plan-form").getByLabel("Memo").fill("asked to step down now");
  await page.getByTestId("move-plan-form").getByRole("button", { name: "Move now" }).click();
  await confirmIn(page, "Yes, move now");
  await expect(page.getByTestId("admin-plan")).toContainText("Pro (version 1)");
  await expect(page.getByTestId("move-preview")).toContainText("Already on Pro v1");
  await page.goto(workspaceUrl);

  // Cancel at the period end, undo it, then cancel now: Free at once.
  await page.getByTestId("cancel-period-end").getByRole("button", { name: "Cancel at period end" }).click();
  await confirmIn(page, "Yes, cancel at period end");
  await expect(page.getByTestId("admin-plan")).toContainText("(cancels then)");
  await page.getByRole("button", { name: "Undo the cancellation" }).click();
  await expect(page.getByTestId("cancel-period-end")).toBeVisible();
  await expect(page.getByTestId("admin-plan")).not.toContainText("(cancels then)");
  await expect(page.getByTestId("cancel-now")).toContainText("Nothing is prorated or refunded");
  await page.getByTestId("cancel-now").getByRole("button", { name: "Cancel now" }).click();
  await confirmIn(page, "Yes, cancel now");
  await expect(page.getByTestId("admin-plan")).toContainText("Status: Free");
  await expect(page.getByTestId("cancel-subscription")).toHaveCount(0);
  await shot(page, "workspace-plan-actions");

  // A model price version, then the finance export.
  await page.goto("/admin/model-prices");
  const mp = page.getByTestId("model-price-form");
  await mp.getByLabel("Provider").fill("acme");
  await mp.getByLabel("Model").fill("e2e-model");
  await mp.getByLabel("Input $/M").fill("1.25");
  await mp.getByLabel("Output $/M").fill("5");
  await mp.getByRole("button", { name: "Add version" }).click();
  await expect(mp.getByRole("status")).toContainText("acme/e2e-model: $1.25 in, $5 out per million tokens from");
  await page.reload();
  await expect(page.getByTestId("model-acme/e2e-model")).toContainText("$1.25 in · $5 out");
  await shot(page, "model-prices");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("cost-export-form").getByRole("button", { name: "Download CSV" }).click()]);
  const csv = fs.readFileSync((await download.path())!, "utf8");
  expect(csv.split("\r\n")[0]).toBe("month,workspace_id,workspace_slug,workspace_name,feature,events,units,priced_events,cost_dollars,input_tokens,output_tokens");

  // Every action in the audit log, with its actor.
  await page.goto(`/admin/audit?actor=${encodeURIComponent(OPERATOR_EMAIL)}`);
  const audit = page.getByTestId("audit-table");
  for (const action of [
    "plan.published", "plan.migration_started", "plan.moved", "plan.migration_finished", "plan.archived", "plan.restored", "entitlement_override.set",
    "entitlement_override.ended", "subscription.cancel_scheduled", "subscription.cancel_undone", "subscription.canceled", "model_price.versioned", "finance.exported",
  ]) {
    await expect(audit.getByTestId("audit-row").filter({ hasText: action }).first(), action).toContainText(OPERATOR_EMAIL);
  }
  await shot(page, "audit-plans");

  // To a customer, none of it exists.
  await signOut(page);
  await signIn(page, customer.email);
  for (const path of ["/admin/plans", "/admin/plans/max", "/admin/plans/max/new", "/admin/model-prices", "/admin/model-prices/export?from=2026-01"]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
  }
});
