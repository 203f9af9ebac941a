import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { configureAutoTopUp, recordUsage, registerPaymentsPort } from "@/lib/billing";
import { createStripePaymentsPort } from "@/lib/payments";
import { requestKey, startPayments, type PaymentsEnv, boughtPack } from "./helpers";

// Webhooks are not delivered: what credits an auto top-up here is the payments port alone.
let env: PaymentsEnv;
beforeAll(async () => {
  registerPaymentsPort(undefined);
  env = await startPayments();
  env.emulator.setTaxPercent(10);
});
afterAll(async () => {
  await env?.stop();
});

const silent = { async send() {} };

/** A Link payment method saved for the customer (as a checkout paid with Link saves it). */
async function savedLink(customer: string) {
  const link = await env.stripe.paymentMethods.create({ type: "link", billing_details: { email: "buyer@example.com" } });
  return env.stripe.paymentMethods.attach(link.id, { customer });
}

async function topUpOnce(workspaceId: string, customer: string) {
  await configureAutoTopUp(db(), { workspaceId, enabled: true, threshold: 450, pack: "compute_500", monthlyCap: 2 });
  // 100 from Free's weekly quota, 60 from extras: 440, under the threshold.
  await recordUsage(db(), { workspaceId, feature: "compute", units: 160, idempotencyKey: requestKey() }, { notifier: silent, payments: createStripePaymentsPort(), waitForSideEffects: true });
  const attempts = await db().autoTopUpAttempt.findMany({ where: { workspaceId } });
  expect(attempts.map((a) => a.status)).toEqual(["succeeded"]);
  const payments = (await env.stripe.paymentIntents.list({ customer, limit: 100 })).data.filter((pi) => pi.metadata.autoTopUpAttemptId);
  expect(payments).toHaveLength(1);
  return payments[0]!;
}

describe("auto top-up: tax and payment method", () => {
  it("is taxed as the same pack bought in checkout, and paid with the customer's default method even when it is not a card", async () => {
    const { workspaceId, customer, session } = await boughtPack(env, "auto-link-default");
    const pack = await db().extrasPack.findUniqueOrThrow({ where: { key: "compute_500" } });
    expect(session.total_details?.amount_tax).toBe(Math.round(pack.priceCents / 10));
    const link = await savedLink(customer);
    await env.stripe.customers.update(customer, { invoice_settings: { default_payment_method: link.id } });

    const pi = await topUpOnce(workspaceId, customer);
    expect([pi.status, pi.payment_method, pi.amount]).toEqual(["succeeded", link.id, session.amount_total]);
    const calculation = await env.stripe.tax.calculations.retrieve(pi.hooks!.inputs!.tax!.calculation);
    expect([calculation.amount_total, calculation.tax_amount_exclusive]).toEqual([pi.amount, session.total_details!.amount_tax]);

    // The books record what was charged, tax included, as a checkout purchase records the session's amount_total.
    const lot = await db().extrasLot.findFirstOrThrow({ where: { workspaceId, paymentIntentId: pi.id } });
    expect([lot.units.toString(), lot.amountCents]).toEqual([pack.units.toString(), session.amount_total]);
  });

  it("without a default, uses the most recently saved method of any type", async () => {
    const { workspaceId, customer } = await boughtPack(env, "auto-link-latest");
    const link = await savedLink(customer);
    const pi = await topUpOnce(workspaceId, customer);
    expect([pi.status, pi.payment_method]).toEqual(["succeeded", link.id]);
  });
});
