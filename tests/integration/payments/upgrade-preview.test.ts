import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { previewUpgrades, upgradeNow } from "@/lib/payments";
import { requestKey, startPayments, subscribedOnClock, subscriptionOf, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const DAY = 86_400;

describe("upgrade preview", () => {
  it("shows what the upgrade then charges, to the cent, even when the upgrade comes hours later", async () => {
    const ws = await subscribedOnClock(env, "starter", "preview");
    await ws.advanceTo(ws.now() + 9 * DAY + 5 * 3600);
    const previews = await previewUpgrades(db(), ws.workspaceId, [
      { planKey: "pro", interval: "month" },
      { planKey: "max", interval: "month" },
      { planKey: "starter", interval: "month" },
    ]);
    // Starter monthly is the plan held, not an upgrade: no preview.
    expect(previews.map((p) => p.planKey)).toEqual(["pro", "max"]);
    const pro = previews[0]!;
    expect(pro.prorationDate).toBe(ws.now());
    expect(pro.amountDueCents).toBeGreaterThan(0);
    expect(pro.taxCents).toBe(0);
    // The preview made nothing: still one invoice, still Starter.
    expect((await env.stripe.invoices.list({ subscription: ws.subscriptionId })).data).toHaveLength(1);

    // Three hours on the clock are worth about 40 cents of Pro over Starter: without the preview's proration date the
    // charge would differ.
    await ws.advanceTo(ws.now() + 3 * 3600);
    await upgradeNow(db(), { workspaceId: ws.workspaceId, planKey: "pro", interval: "month", requestKey: requestKey(), prorationDate: pro.prorationDate });
    const sub = await env.stripe.subscriptions.retrieve(ws.subscriptionId, { expand: ["latest_invoice"] });
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect([invoice.billing_reason, invoice.status, invoice.amount_paid]).toEqual(["subscription_update", "paid", pro.amountDueCents]);
    expect((await subscriptionOf(ws.workspaceId)).plan.key).toBe("pro");
  });

  it("a proration date from another period is not used: the upgrade is prorated as of now", async () => {
    const ws = await subscribedOnClock(env, "starter", "preview-stale");
    await ws.advanceTo(ws.now() + 2 * DAY);
    await upgradeNow(db(), { workspaceId: ws.workspaceId, planKey: "pro", interval: "month", requestKey: requestKey(), prorationDate: ws.now() - 40 * DAY });
    const sub = await env.stripe.subscriptions.retrieve(ws.subscriptionId, { expand: ["latest_invoice"] });
    expect((sub.latest_invoice as Stripe.Invoice).status).toBe("paid");
    expect((await subscriptionOf(ws.workspaceId)).plan.key).toBe("pro");
  });
});
