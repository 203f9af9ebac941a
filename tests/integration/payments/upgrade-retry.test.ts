import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startPlanCheckout, upgradeNow } from "@/lib/payments";
import { newWorkspace, pay, requestKey, startPayments, subscriptionOf, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

async function subscribed(planKey: string, label: string) {
  const ws = await newWorkspace(label);
  const { url } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey, interval: "month", requestKey: requestKey() });
  await pay(url);
  await env.emulator.idle();
  const row = await subscriptionOf(ws.workspaceId);
  expect([row.plan.key, row.status]).toEqual([planKey, "active"]);
  return { ...ws, subscriptionId: row.stripeSubscriptionId!, customerId: (await db().workspace.findUniqueOrThrow({ where: { id: ws.workspaceId } })).stripeCustomerId! };
}

/** Makes `pmToken` the card of the customer and of its subscription, as the billing portal does. */
async function useCard(s: { customerId: string; subscriptionId: string }, pmToken: string) {
  const pm = await env.stripe.paymentMethods.attach(pmToken, { customer: s.customerId });
  await env.stripe.customers.update(s.customerId, { invoice_settings: { default_payment_method: pm.id } });
  await env.stripe.subscriptions.update(s.subscriptionId, { default_payment_method: pm.id });
}

const upgradeInvoices = async (subscription: string) =>
  (await env.stripe.invoices.list({ subscription, limit: 100 })).data.filter((i) => i.billing_reason === "subscription_update");

describe("upgrade now", () => {
  it("after a decline, the same form tried again once the card is fixed is a new attempt that succeeds", async () => {
    const s = await subscribed("starter", "upgrade-retry");
    await useCard(s, "pm_card_chargeCustomerFail");
    const token = requestKey();
    await expect(upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "pro", interval: "month", requestKey: token })).rejects.toThrow(/declined/);
    expect((await subscriptionOf(s.workspaceId)).plan.key).toBe("starter");

    await useCard(s, "pm_card_visa");
    await upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "pro", interval: "month", requestKey: token });
    expect((await subscriptionOf(s.workspaceId)).plan.key).toBe("pro");
    // The declined try's invoice was voided (which drops its pending change); the retry's is the one paid.
    const invoices = await upgradeInvoices(s.subscriptionId);
    expect(invoices.map((i) => i.status)).toEqual(["paid", "void"]);
  });

  it("a second decline with the same form is tried afresh too, and a later fix still goes through", async () => {
    const s = await subscribed("starter", "upgrade-twice");
    await useCard(s, "pm_card_chargeCustomerFail");
    const token = requestKey();
    for (let i = 0; i < 2; i++) {
      await expect(upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "pro", interval: "month", requestKey: token })).rejects.toThrow(/declined/);
    }
    await useCard(s, "pm_card_visa");
    await upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "pro", interval: "month", requestKey: token });
    expect((await subscriptionOf(s.workspaceId)).plan.key).toBe("pro");
  });

  it("two simultaneous submissions of one form are one Stripe change", async () => {
    const s = await subscribed("starter", "upgrade-double");
    const token = requestKey();
    const results = await Promise.allSettled([
      upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "pro", interval: "month", requestKey: token }),
      upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "pro", interval: "month", requestKey: token }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(await upgradeInvoices(s.subscriptionId)).toHaveLength(1);
    const updates = (await env.stripe.events.list({ type: "invoice.created", limit: 100 })).data.filter(
      (e) => (e.data.object as { subscription?: string; billing_reason?: string }).billing_reason === "subscription_update" && JSON.stringify(e.data.object).includes(s.subscriptionId),
    );
    expect(updates).toHaveLength(1);
    expect((await subscriptionOf(s.workspaceId)).plan.key).toBe("pro");
  });
});
