import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { syncSubscription, upgradeNow } from "@/lib/payments";
import { requestKey, startPayments, subscriptionOf, workspaceOnClock, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const DAY = 86_400;
const priceOf = async (key: string) => (await db().plan.findFirstOrThrow({ where: { key }, orderBy: { version: "desc" } })).stripeMonthlyPriceId!;

describe("billing mode of upgrades", () => {
  it("a subscription in classic mode is moved to flexible before an upgrade, which then credits what was billed, not the list price", async () => {
    const ws = await workspaceOnClock(env, "classic");
    const pm = await env.stripe.paymentMethods.attach("pm_card_visa", { customer: ws.customerId });
    const starter = await priceOf("starter");
    const sub = await env.stripe.subscriptions.create({ customer: ws.customerId, items: [{ price: starter }], default_payment_method: pm.id, billing_mode: { type: "classic" }, metadata: { workspaceId: ws.workspaceId, planKey: "starter" } });
    const periodEnd = sub.items.data[0]!.current_period_end;
    // Moved to Pro without proration (as a plan migration moves prices): Starter is what was billed for this period.
    await env.stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: await priceOf("pro") }], proration_behavior: "none", metadata: { planKey: "pro" } });
    await env.emulator.idle();
    await syncSubscription(db(), { subscriptionId: sub.id, workspaceId: ws.workspaceId });
    expect((await subscriptionOf(ws.workspaceId)).plan.key).toBe("pro");
    await ws.advanceTo(ws.start + 10 * DAY);

    await upgradeNow(db(), { workspaceId: ws.workspaceId, planKey: "max", interval: "month", requestKey: requestKey() });
    const upgraded = await env.stripe.subscriptions.retrieve(sub.id, { expand: ["latest_invoice"] });
    expect(upgraded.billing_mode.type).toBe("flexible");
    const credit = -(upgraded.latest_invoice as Stripe.Invoice).lines.data[0]!.amount;
    const starterAmount = (await env.stripe.prices.retrieve(starter)).unit_amount!;
    const remaining = periodEnd - (ws.start + 10 * DAY);
    expect(credit).toBe(Math.round((starterAmount * remaining) / (periodEnd - ws.start)));
    expect((await subscriptionOf(ws.workspaceId)).plan.key).toBe("max");
  });
});
