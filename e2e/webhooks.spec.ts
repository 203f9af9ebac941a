import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { OPERATOR_EMAIL } from "../playwright.config";
import { startReceiver } from "../tests/helpers/webhook-receiver";
import { confirmIn, PASSWORD, signIn, signUp } from "./helpers";

const dir = "e2e/artifacts";
const shot = async (page: Page, name: string) => {
  fs.mkdirSync(dir, { recursive: true });
  for (const width of [1280, 375] as const) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.screenshot({ path: `${dir}/console-${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
};

test("an operator adds a webhook endpoint (secret shown once), sees a failing delivery with its attempts, disables, enables, resends and deletes it", async ({ page }) => {
  test.setTimeout(120_000);
  const receiver = await startReceiver({ status: 500 });
  try {
    await signIn(page, OPERATOR_EMAIL, PASSWORD);
    if (new URL(page.url()).pathname.startsWith("/sign-in")) await signUp(page, { email: OPERATOR_EMAIL, workspace: "Ops" });
    await page.goto("/admin/webhooks");
    await expect(page.getByRole("heading", { name: "Outgoing webhooks" })).toBeVisible();
    const form = page.getByTestId("create-endpoint-form");
    // A bad URL is a form error and creates nothing.
    await form.getByLabel("URL").fill("ftp://example.test/hooks");
    await form.getByRole("button", { name: "Create endpoint" }).click();
    await expect(form.getByRole("alert")).toContainText("Enter an http(s) URL.");
    // No event type chosen: said under the event types, and nothing is created.
    const endpointsBefore = await page.getByTestId("webhook-endpoint-row").count();
    await form.getByLabel("URL").fill(receiver.url);
    for (const box of await form.getByRole("checkbox").all()) await box.uncheck();
    await form.getByRole("button", { name: "Create endpoint" }).click();
    await expect(form.getByRole("group", { name: "Event types" }).getByRole("alert")).toHaveText("Choose at least one event type.");
    await expect(page.getByTestId("webhook-endpoint-row")).toHaveCount(endpointsBefore);
    await form.getByLabel("URL").fill(receiver.url);
    await form.getByRole("button", { name: "Create endpoint" }).click();
    await expect(page.getByTestId("new-secret").getByRole("status")).toContainText("the only time it is shown");
    const secret = (await page.getByLabel("New signing secret").textContent())!.trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    // The secret is in the box to copy from only, never also in a toast that goes away by itself.
    await expect(page.getByText(secret)).toHaveCount(1);
    receiver.state.secret = secret;
    await shot(page, "webhooks-created");
    await page.reload();
    await expect(page.locator("body")).not.toContainText(secret);

    // A change that reports an event: an extras credit on the operator's own workspace.
    await page.goto("/admin/workspaces");
    await page.getByLabel("Search workspaces").fill(OPERATOR_EMAIL);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByTestId("admin-workspace-row").first().getByRole("link").first().click();
    const adjust = page.getByTestId("adjust-form");
    await adjust.getByLabel("Units (signed)").fill("25");
    await adjust.getByLabel("Memo").fill("Webhook check");
    await adjust.getByRole("button", { name: "Adjust extras" }).click();
    await confirmIn(page, "Yes, adjust extras");
    await expect(adjust.getByRole("status")).toContainText("Adjusted by 25 units");

    // Sent right after the commit; the receiver answers 500, so it shows as failing with its attempt.
    await page.goto("/admin/webhooks");
    await page.getByRole("link", { name: receiver.url }).click();
    await expect(page).toHaveURL(/\/admin\/webhooks\/we_[0-9a-f]+$/);
    const endpointPage = page.url();
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("webhook-attempt").first()).toContainText("HTTP 500", { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await expect(page.getByTestId("webhook-delivery").first()).toContainText("extras.credited");
    expect(receiver.state.rejected).toBe(0);
    await shot(page, "webhook-endpoint");
    await page.goto("/admin");
    await expect(page.getByTestId("overview-failing-webhooks")).not.toHaveText("0");
    await shot(page, "overview-webhooks");

    // Disabled by the operator, enabled again with the receiver fixed, the failed delivery resent: same webhook-id.
    await page.goto(endpointPage);
    await page.getByTestId("toggle-endpoint-form").getByRole("button", { name: "Disable" }).click();
    await expect(page.getByTestId("webhook-endpoint-status")).toContainText(`Disabled by ${OPERATOR_EMAIL}`);
    receiver.state.status = 200;
    await page.getByTestId("toggle-endpoint-form").getByRole("button", { name: "Enable" }).click();
    await expect(page.getByTestId("webhook-endpoint-status")).toHaveText("Enabled");
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("webhook-delivery-status").first()).toHaveText("Delivered", { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await page.getByTestId("webhook-delivery").first().getByRole("button", { name: "Resend" }).click();
    await expect(page.getByTestId("webhook-delivery").first().getByRole("status")).toContainText("same webhook-id");
    await expect.poll(() => receiver.received.length, { timeout: 30_000 }).toBe(2);
    expect(receiver.received[0]!.id).toBe(receiver.received[1]!.id);
    expect(receiver.received[0]!.raw).toBe(receiver.received[1]!.raw);

    await page.getByTestId("delete-endpoint-form").getByRole("button", { name: "Delete endpoint" }).click();
    await expect(page).toHaveURL(/\/admin\/webhooks$/);
    await expect(page.getByRole("link", { name: receiver.url })).toHaveCount(0);
  } finally {
    await receiver.close();
  }
});
