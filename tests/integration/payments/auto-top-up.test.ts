import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { configureAutoTopUp, expireLots, recordUsage, registerPaymentsPort, sweepAutoTopUps, topupExtras, type PaymentsPort } from "@/lib/billing";
import { createStripePaymentsPort } from "@/lib/payments";
import { GET as reconcile } from "@/app/api/cron/reconcile/route";
import { requestKey, startPayments, type PaymentsEnv, boughtPack } from "./helpers";

// Webhooks are not delivered: what credits an auto top-up here is the payments port alone.
let env: PaymentsEnv;
beforeAll(async () => {
  registerPaymentsPort(undefined);
  env = await startPayments();
});
afterAll(async () => {
  await env?.stop();
});

const silent = { async send() {} };
const balanceOf = async (workspaceId: string) => (await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId } })).balance.toString();
const attemptsOf = (workspaceId: string) => db().autoTopUpAttempt.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" } });
const runReconcile = () => reconcile(new Request("http://app.local/api/cron/reconcile", { headers: { authorization: `Bearer ${process.env.CRON_SECRET}` } }));

/** Usage of compute (Free: 100 a week, then extras), waiting for the auto top-up it may start. */
const spend = (workspaceId: string, units: number, payments?: PaymentsPort) =>
  recordUsage(db(), { workspaceId, feature: "compute", units, idempotencyKey: requestKey() }, { notifier: silent, payments, waitForSideEffects: true });

const autoPayments = async (customer: string) => (await env.stripe.paymentIntents.list({ customer, limit: 100 })).data.filter((pi) => pi.metadata.autoTopUpAttemptId);

describe("auto top-up through Stripe", () => {
  it("a debit under the threshold buys the pack off-session with the saved card, once per crossing", async () => {
    const { workspaceId, customer } = await boughtPack(env, "auto-buy");
    await configureAutoTopUp(db(), { workspaceId, enabled: true, threshold: 450, pack: "compute_500", monthlyCap: 2 });
    const port = createStripePaymentsPort();
    await spend(workspaceId, 160, port); // 100 from the quota, 60 from extras: 440
    expect(await balanceOf(workspaceId)).toBe("940");
    await spend(workspaceId, 1, port); // 939: above the threshold
    expect(await autoPayments(customer)).toHaveLength(1);
    expect((await attemptsOf(workspaceId)).map((a) => a.status)).toEqual(["succeeded"]);
  });

  it("a failure after the charge (crediting failed) charges no second time; the sweep credits it once", async () => {
    const { workspaceId, customer } = await boughtPack(env, "auto-unknown");
    await configureAutoTopUp(db(), { workspaceId, enabled: true, threshold: 450, pack: "compute_500", monthlyCap: 3 });
    // The database fails once, when crediting the pack after Stripe said the payment succeeded.
    let failCredit = true;
    const real = db();
    const flaky = new Proxy(real, {
      get(target, prop) {
        if (prop !== "$transaction") return Reflect.get(target, prop);
        return (...args: Parameters<typeof real.$transaction>) => {
          if (!failCredit) return real.$transaction(...args);
          failCredit = false;
          return Promise.reject(new Error("Connection terminated unexpectedly"));
        };
      },
    });
    const stripePort = createStripePaymentsPort(() => flaky);
    const tries: { idempotencyKey: string; resume?: boolean }[] = [];
    const port: PaymentsPort = {
      startAutoTopUp: (input) => {
        // The sweep goes over every workspace of the database; only this test's one is counted.
        if (input.workspaceId === workspaceId) tries.push({ idempotencyKey: input.idempotencyKey, resume: input.resume });
        return stripePort.startAutoTopUp(input);
      },
    };
    await spend(workspaceId, 160, port); // 440
    expect(failCredit).toBe(false);
    expect(await autoPayments(customer)).toHaveLength(1);
    expect((await attemptsOf(workspaceId)).map((a) => a.status)).toEqual(["started"]);
    expect(await balanceOf(workspaceId)).toBe("440");

    // Another debit under the threshold while that outcome is not known: no new purchase.
    await spend(workspaceId, 1, port); // 439
    expect(await autoPayments(customer)).toHaveLength(1);

    // The sweep resumes the stale attempt: the same payment, credited once; a second sweep resumes nothing
    // (`tries` below holds this workspace's calls: the first and one resume).
    const sweep = () => sweepAutoTopUps(db(), { port, now: new Date(Date.now() + 11 * 60_000) });
    await sweep();
    await sweep();
    const payments = await autoPayments(customer);
    expect(payments).toHaveLength(1);
    const attempts = await attemptsOf(workspaceId);
    expect(attempts.map((a) => [a.status, a.paymentIntentId])).toEqual([["succeeded", payments[0]!.id]]);
    expect(await db().extrasLot.count({ where: { workspaceId, paymentIntentId: payments[0]!.id } })).toBe(1);
    expect(await balanceOf(workspaceId)).toBe("939");
    expect(tries).toEqual([
      { idempotencyKey: `autotopup_${workspaceId}_${attempts[0]!.slot}`, resume: false },
      { idempotencyKey: `autotopup_${workspaceId}_${attempts[0]!.slot}`, resume: true },
    ]);
  });

  it("a declined card fails the attempt at once, and the next debit under the threshold may try again", async () => {
    const { workspaceId, customer } = await boughtPack(env, "auto-declined");
    const declining = await env.stripe.paymentMethods.attach("pm_card_chargeCustomerFail", { customer });
    await env.stripe.customers.update(customer, { invoice_settings: { default_payment_method: declining.id } });
    await configureAutoTopUp(db(), { workspaceId, enabled: true, threshold: 450, pack: "compute_500", monthlyCap: 3 });
    const port = createStripePaymentsPort();
    await spend(workspaceId, 160, port); // 440
    expect((await attemptsOf(workspaceId)).map((a) => a.status)).toEqual(["failed"]);
    await spend(workspaceId, 1, port); // 439: a new crossing, a new try
    expect((await attemptsOf(workspaceId)).map((a) => [a.slot.slice(-2), a.status])).toEqual([["#1", "failed"], ["#2", "failed"]]);
    expect(await balanceOf(workspaceId)).toBe("439");
  });

  it("the reconcile cron buys nothing after an expiry alone, and buys once for a debit whose start was lost", async () => {
    const { workspaceId, customer } = await boughtPack(env, "auto-cron");
    await topupExtras(db(), { workspaceId, pack: "compute_500", units: 100, paymentIntentId: `pi_expiring_${workspaceId}`, expiresAt: new Date(Date.now() - 1000) });
    await spend(workspaceId, 160); // 100 from the quota, 60 from the unexpired lot: 540
    await configureAutoTopUp(db(), { workspaceId, enabled: true, threshold: 520, pack: "compute_500", monthlyCap: 2 });
    await expireLots(db(), { workspaceId });
    expect(await balanceOf(workspaceId)).toBe("440");
    expect((await runReconcile()).status).toBe(200);
    expect(await autoPayments(customer)).toHaveLength(0);
    expect(await attemptsOf(workspaceId)).toHaveLength(0);

    await spend(workspaceId, 1); // 439, on an instance without the payments port
    expect(await attemptsOf(workspaceId)).toHaveLength(0);
    expect((await runReconcile()).status).toBe(200);
    expect((await runReconcile()).status).toBe(200);
    expect(await autoPayments(customer)).toHaveLength(1);
    expect(await balanceOf(workspaceId)).toBe("939");
  });
});
