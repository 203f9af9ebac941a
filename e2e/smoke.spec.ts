import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

// Also run by `npm run smoke` against `npm run dev` on the embedded defaults.
test("smoke: sign up and see the billing page with the workspace and its plan", async ({ page }) => {
  await signUp(page, { workspace: "Smoke Test Co" });
  await expect(page.getByRole("heading", { level: 1, name: "Smoke Test Co" })).toBeVisible();
  await expect(page.getByTestId("plan-name")).toHaveText("Free");
});
