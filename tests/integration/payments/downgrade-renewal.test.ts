import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { scheduleDowngrade } from "@/lib/payments";
import { startPayments, subscriptionOf, type PaymentsEnv, subscribedOnClock } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
  env.emulator.setTaxPercent(10);
});
afterAll(async () => {
  await env?.stop();
});

const HOUR = 3600;

describe("a scheduled downgrade", () => {
  it("renews on the new plan with tax, paid with the subscription's card", async () => {
    const s = await subscribedOnClock(env, "pro", "down-tax");
    const before = await env.stripe.subscriptions.retrieve(s.subscriptionId);
    expect(before.automatic_tax.enabled).toBe(true);
    const card = before.default_payment_method as string;
    expect(card).toMatch(/^pm_/);

    await scheduleDowngrade(db(), { workspaceId: s.workspaceId, planKey: "starter", interval: "month" });
    // Nothing about the current period changes when the downgrade is booked.
    const booked = await env.stripe.subscriptions.retrieve(s.subscriptionId);
    expect([booked.automatic_tax.enabled, booked.default_payment_method]).toEqual([true, card]);

    await s.advanceTo(s.periodEnd + HOUR);
    const starter = await db().plan.findFirstOrThrow({ where: { key: "starter" }, orderBy: { version: "desc" } });
    const sub = await env.stripe.subscriptions.retrieve(s.subscriptionId);
    expect(sub.items.data[0]!.price.id).toBe(starter.stripeMonthlyPriceId);
    expect([sub.status, sub.automatic_tax.enabled, sub.default_payment_method, sub.metadata.planKey]).toEqual(["active", true, card, "starter"]);

    const renewal = (await env.stripe.invoices.list({ subscription: s.subscriptionId, limit: 10 })).data.find((i) => i.billing_reason === "subscription_cycle")!;
    expect(renewal.automatic_tax.enabled).toBe(true);
    expect(renewal.subtotal).toBe(starter.monthlyPriceCents);
    const tax = renewal.total_taxes?.reduce((sum, t) => sum + t.amount, 0) ?? 0;
    expect(tax).toBe(Math.round(starter.monthlyPriceCents / 10));
    expect([renewal.status, renewal.total]).toEqual(["paid", starter.monthlyPriceCents + tax]);
    const paymentIntent = renewal.payments?.data[0]?.payment.payment_intent as string;
    expect((await env.stripe.paymentIntents.retrieve(paymentIntent)).payment_method).toBe(card);

    const row = await subscriptionOf(s.workspaceId);
    expect([row.plan.key, row.status, row.pendingPlanId]).toEqual(["starter", "active", null]);
  });
});
