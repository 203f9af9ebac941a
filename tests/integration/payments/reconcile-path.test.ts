// Payments learnt only through Stripe's events list (the reconcile cron's path), written to run on both the
// emulator (every `npm test`) and a real Stripe test-mode account (`npm run test:stripe-live`). Real Stripe has
// no hosted page a test can pay, so subscriptions are made through the API with Stripe's test payment methods,
// as a customer's completed checkout would leave them; everything after that is the app's own code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { configureAutoTopUp, currentPlanVersion, recordUsage, registerPaymentsPort, topupExtras } from "@/lib/billing";
import { automaticTaxEnabled, createStripePaymentsPort, refundExtrasPurchase, upgradeNow } from "@/lib/payments";
import { connectStripe, type Backend } from "./backend";
import { newWorkspace, requestKey, subscriptionOf } from "./helpers";

let stripe: Backend;
const clocks: string[] = [];
beforeAll(async () => {
  registerPaymentsPort(undefined);
  stripe = await connectStripe();
});
afterAll(async () => {
  // Deleting a test clock deletes its customers and their subscriptions (on Stripe too).
  for (const id of clocks) await stripe?.stripe.testHelpers.testClocks.del(id).catch(() => undefined);
  await stripe?.stop();
});

const DAY = 86_400;

/** A workspace whose Stripe customer, on a test clock of its own, has Stripe's test Visa as its default. */
async function customerOnClock(label: string) {
  const ws = await newWorkspace(label);
  const start = Math.floor(Date.now() / 1000);
  const clock = await stripe.stripe.testHelpers.testClocks.create({ frozen_time: start, name: `tally ${label}` });
  clocks.push(clock.id);
  const customer = await stripe.stripe.customers.create({ name: label, metadata: { workspaceId: ws.workspaceId }, test_clock: clock.id });
  const pm = await stripe.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
  await stripe.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  await db().workspace.update({ where: { id: ws.workspaceId }, data: { stripeCustomerId: customer.id } });
  return { ...ws, clock, start, customerId: customer.id, pm: pm.id };
}

describe("payments learnt through the events list", () => {
  it("a subscription starts, upgrades now and renews, each applied from Stripe's events", async () => {
    const ws = await customerOnClock("reconcile-sub");
    const starter = (await currentPlanVersion(db(), "starter"))!;
    const sub = await stripe.stripe.subscriptions.create({
      customer: ws.customerId,
      items: [{ price: starter.stripeMonthlyPriceId! }],
      default_payment_method: ws.pm,
      automatic_tax: { enabled: await automaticTaxEnabled(db()) },
      metadata: { workspaceId: ws.workspaceId, planKey: starter.key, planVersion: String(starter.version) },
    });
    const active = await stripe.until("the subscription active", async () => {
      const row = await subscriptionOf(ws.workspaceId);
      return row.status === "active" && row.stripeSubscriptionId === sub.id ? row : null;
    });
    expect(active.plan.key).toBe("starter");
    await stripe.until("the first invoice in the list", () => db().invoice.findFirst({ where: { workspaceId: ws.workspaceId, status: "paid" } }));

    // The upgrade is the app's own call; its invoice reaches the invoice list through the events list.
    await upgradeNow(db(), { workspaceId: ws.workspaceId, planKey: "pro", interval: "month", requestKey: requestKey() });
    expect((await subscriptionOf(ws.workspaceId)).plan.key).toBe("pro");
    await stripe.until("the upgrade's invoice", async () => (await db().invoice.count({ where: { workspaceId: ws.workspaceId, status: "paid" } })) >= 2);

    const periodEnd = (await subscriptionOf(ws.workspaceId)).currentPeriodEnd!;
    await stripe.advance(ws.clock.id, Math.floor(periodEnd.getTime() / 1000) + DAY);
    const renewed = await stripe.until("the renewal", async () => {
      const row = await subscriptionOf(ws.workspaceId);
      return row.currentPeriodStart && row.currentPeriodStart.getTime() >= periodEnd.getTime() ? row : null;
    });
    expect([renewed.plan.key, renewed.status]).toEqual(["pro", "active"]);
  });

  it("an auto top-up is charged to the saved card, and its refund claws the units back", async () => {
    const ws = await customerOnClock("reconcile-topup");
    await topupExtras(db(), { workspaceId: ws.workspaceId, pack: "compute_500", paymentIntentId: `pi_seed_${ws.workspaceId}` });
    await configureAutoTopUp(db(), { workspaceId: ws.workspaceId, enabled: true, threshold: 450, pack: "compute_500", monthlyCap: 2 });
    // 100 from Free's weekly quota, 60 from extras: 440 left, under the threshold.
    await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", units: 160, idempotencyKey: requestKey() }, { notifier: { async send() {} }, payments: createStripePaymentsPort(), waitForSideEffects: true });
    const [attempt] = await db().autoTopUpAttempt.findMany({ where: { workspaceId: ws.workspaceId } });
    expect(attempt?.status).toBe("succeeded");
    const lot = await db().extrasLot.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, paymentIntentId: attempt!.paymentIntentId! } });
    expect((await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId: ws.workspaceId } })).balance.toString()).toBe("940");

    const refund = await refundExtrasPurchase(db(), { workspaceId: ws.workspaceId, lotId: lot.id, refundRequestId: requestKey() });
    expect(refund.amountCents).toBe(lot.amountCents);
    await stripe.until("charge.refunded applied", () => db().stripeEvent.findFirst({ where: { type: "charge.refunded", status: "processed", payload: { path: ["data", "object", "payment_intent"], equals: attempt!.paymentIntentId! } } }));
    expect((await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId: ws.workspaceId } })).balance.toString()).toBe("440");
  });
});
