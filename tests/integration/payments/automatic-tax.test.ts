import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { createStripeClient } from "@/lib/stripe";
import { TAX_STATUS_TTL_MS, accountTaxStatus, automaticTaxEnabled, recordTaxStatus, startPackCheckout, startPlanCheckout, upgradeNow } from "@/lib/payments";
import { newWorkspace, pay, requestKey, startPayments, subscriptionOf, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
  env.emulator.setTaxPercent(10);
});
afterAll(async () => {
  await env?.stop();
});
afterEach(() => {
  delete process.env.STRIPE_AUTOMATIC_TAX;
  resetEnvCache();
});

function mode(value: "auto" | "on" | "off") {
  process.env.STRIPE_AUTOMATIC_TAX = value;
  resetEnvCache();
}

const setTaxActive = (active: boolean) => {
  const settings = env.emulator.emulator.account.taxSettings;
  settings.status = active ? "active" : "pending";
  settings.status_details = active ? { active: {} } : { pending: { missing_fields: ["head_office"] } };
};

async function checkouts(label: string) {
  const ws = await newWorkspace(label);
  const plan = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month", requestKey: requestKey() });
  const pack = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
  const sessions = await Promise.all([plan.sessionId, pack.sessionId].map((id) => env.stripe.checkout.sessions.retrieve(id)));
  return sessions.map((s) => [s.mode, s.automatic_tax.enabled, s.billing_address_collection, s.total_details?.amount_tax]);
}

describe("STRIPE_AUTOMATIC_TAX", () => {
  it("auto (the default) asks for tax, and collects the billing address, while the account's Stripe Tax is active", async () => {
    await db().stripeAccountState.deleteMany();
    expect(await checkouts("tax-auto")).toEqual([
      ["subscription", true, "required", 100],
      ["payment", true, "required", 200],
    ]);
  });

  it("on and off decide by themselves, whatever the account says", async () => {
    setTaxActive(false);
    try {
      mode("off");
      expect(await checkouts("tax-off")).toEqual([
        ["subscription", false, null, 0],
        ["payment", false, null, 0],
      ]);
      mode("on");
      await expect(checkouts("tax-on")).rejects.toThrow("Stripe Tax has not been activated on your account.");
    } finally {
      setTaxActive(true);
    }
  });

  it("auto reads the tax settings once for every instance, again after a few minutes or for another account", async () => {
    await db().stripeAccountState.deleteMany();
    const t0 = new Date();
    expect(await automaticTaxEnabled(db(), t0)).toBe(true);
    const row = await db().stripeAccountState.findUniqueOrThrow({ where: { id: "default" } });
    expect([row.taxStatus, row.checkedAt.getTime()]).toEqual(["active", t0.getTime()]);

    // Stripe Tax switched off in the Dashboard: the reading stands until it is TAX_STATUS_TTL_MS old.
    setTaxActive(false);
    try {
      expect(await automaticTaxEnabled(db(), new Date(t0.getTime() + TAX_STATUS_TTL_MS - 1000))).toBe(true);
      expect(await automaticTaxEnabled(db(), new Date(t0.getTime() + TAX_STATUS_TTL_MS + 1000))).toBe(false);
      expect((await db().stripeAccountState.findUniqueOrThrow({ where: { id: "default" } })).taxStatus).toBe("pending");
    } finally {
      setTaxActive(true);
    }
    // A reading made with another key (another account) is not this account's.
    await recordTaxStatus(db(), "pending", new Date(), createStripeClient({ secretKey: "sk_test_other_account", apiBase: env.emulator.url }));
    expect(await accountTaxStatus(db())).toBe("active");
  });

  it("an upgrade turns tax off on a subscription checked out with it, once tax is off", async () => {
    const ws = await newWorkspace("tax-upgrade");
    const { url } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month", requestKey: requestKey() });
    await pay(url);
    await env.emulator.idle();
    const subId = (await subscriptionOf(ws.workspaceId)).stripeSubscriptionId!;
    expect((await env.stripe.subscriptions.retrieve(subId)).automatic_tax.enabled).toBe(true);

    mode("off");
    await upgradeNow(db(), { workspaceId: ws.workspaceId, planKey: "pro", interval: "month", requestKey: requestKey() });
    const sub = await env.stripe.subscriptions.retrieve(subId, { expand: ["latest_invoice"] });
    const invoice = sub.latest_invoice as { billing_reason: string; subtotal: number; total: number };
    expect([sub.automatic_tax.enabled, invoice.billing_reason, invoice.total]).toEqual([false, "subscription_update", invoice.subtotal]);
    expect((await subscriptionOf(ws.workspaceId)).plan.key).toBe("pro");
  });
});
