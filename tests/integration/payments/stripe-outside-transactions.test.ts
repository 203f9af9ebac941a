import { AsyncLocalStorage } from "node:async_hooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { currentPlanVersion } from "@/lib/billing";
import { refundExtrasPurchase, startPackCheckout } from "@/lib/payments";
import { BANK, payByBankOnHostedPage } from "@tally/stripe-emulator/testing";
import { CARDS, newWorkspace, pay, requestKey, startPayments, subscribedOnClock, subscriptionOf, workspaceOnClock, type PaymentsEnv } from "./helpers";

// A webhook's transaction holds a pooled connection until it commits: a Stripe call made while it is open
// keeps that connection waiting on Stripe (on the one-connection embedded database, every other request too).
// Here every event the emulator sends goes through the webhook handler on a client whose transactions mark
// what runs inside them, and every request the app's Stripe client sends while that mark is set is recorded.

const inTransaction = new AsyncLocalStorage<true>();
let transactions = 0;

/** The app's client, whose interactive transactions (their callback and everything it awaits) carry the mark. */
function markingTransactions(client: PrismaClient): PrismaClient {
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === "$transaction") {
        return (arg: unknown, options?: unknown) => {
          if (typeof arg !== "function") return target.$transaction(arg as never, options as never);
          transactions++;
          const fn = arg as (tx: unknown) => Promise<unknown>;
          return inTransaction.run(true, () => target.$transaction((tx) => inTransaction.run(true, () => fn(tx)), options as never));
        };
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const watched = markingTransactions(db());
const callsInTransaction: string[] = [];
let env: PaymentsEnv;

beforeAll(async () => {
  env = await startPayments({ deliver: true, db: watched });
  env.stripe.on("request", (r: { method: string; path: string }) => {
    if (inTransaction.getStore()) callsInTransaction.push(`${r.method} ${r.path.split("?")[0]}`);
  });
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(() => {
  callsInTransaction.length = 0;
});

const HOUR = 3600;
const DAY = 86_400;

async function packCheckout(workspace: { workspaceId: string; slug: string }) {
  return startPackCheckout(db(), { workspaceId: workspace.workspaceId, slug: workspace.slug, pack: "compute_500", requestKey: requestKey() });
}

describe("Stripe is never called while a webhook's transaction is open", () => {
  it("the check sees a call made inside a transaction", async () => {
    await watched.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1`;
      await env.stripe.customers.list({ limit: 1 });
    });
    expect(callsInTransaction).toEqual(["GET /v1/customers"]);
  });

  it("subscription checkouts, a duplicate subscription cancelled and refunded, renewals paid and failed", async () => {
    const s = await subscribedOnClock(env, "starter", "tx-sub");
    // A second subscription checkout completed for the same workspace: the first subscription is cancelled and refunded.
    const pro = (await currentPlanVersion(db(), "pro"))!;
    const metadata = { workspaceId: s.workspaceId, planKey: pro.key, planVersion: String(pro.version) };
    const second = await env.stripe.checkout.sessions.create({
      mode: "subscription", customer: s.customerId, client_reference_id: s.workspaceId, metadata, subscription_data: { metadata },
      line_items: [{ price: pro.stripeMonthlyPriceId!, quantity: 1 }], success_url: "http://app.local/ok", cancel_url: "http://app.local/back",
    });
    await pay(second.url!);
    await env.emulator.idle();
    expect((await env.stripe.subscriptions.retrieve(s.subscriptionId)).status).toBe("canceled");
    expect((await subscriptionOf(s.workspaceId)).plan.key).toBe("pro");
    await s.advanceTo(s.periodEnd + HOUR);

    const failing = await subscribedOnClock(env, "starter", "tx-renewal-fails");
    const declining = await env.stripe.paymentMethods.attach("pm_card_visa_chargeDeclinedInsufficientFunds", { customer: failing.customerId });
    await env.stripe.customers.update(failing.customerId, { invoice_settings: { default_payment_method: declining.id } });
    await env.stripe.subscriptions.update(failing.subscriptionId, { default_payment_method: declining.id });
    await failing.advanceTo(failing.periodEnd + HOUR);
    expect((await subscriptionOf(failing.workspaceId)).status).toBe("past_due");
    expect(callsInTransaction).toEqual([]);
  });

  it("a Stripe trial ending soon", async () => {
    const ws = await workspaceOnClock(env, "tx-trial");
    const pro = (await currentPlanVersion(db(), "pro"))!;
    await env.stripe.subscriptions.create({ customer: ws.customerId, items: [{ price: pro.stripeMonthlyPriceId! }], trial_period_days: 14, metadata: { workspaceId: ws.workspaceId } });
    await env.emulator.idle();
    await ws.advanceTo(ws.start + 11 * DAY + HOUR);
    expect(await db().notification.count({ where: { workspaceId: ws.workspaceId, kind: "trial_will_end" } })).toBe(1);
    expect(callsInTransaction).toEqual([]);
  });

  it("a pack paid, then refunded with a refund that fails", async () => {
    const ws = await newWorkspace("tx-refund");
    const { url, sessionId } = await packCheckout(ws);
    await pay(url, CARDS.refundFails);
    await env.emulator.idle();
    const lot = await db().extrasLot.findUniqueOrThrow({ where: { checkoutSessionId: sessionId } });
    await refundExtrasPurchase(db(), { workspaceId: ws.workspaceId, lotId: lot.id, amountCents: 500, refundRequestId: requestKey() });
    await env.emulator.idle();
    expect((await db().extrasLot.findUniqueOrThrow({ where: { id: lot.id } })).refundedCents).toBe(0);
    expect(callsInTransaction).toEqual([]);
  });

  it("a pack disputed, the dispute lost", async () => {
    const ws = await newWorkspace("tx-dispute");
    await pay((await packCheckout(ws)).url, CARDS.disputed);
    await env.emulator.idle();
    const dispute = (await db().dispute.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } })).id;
    await env.stripe.disputes.close(dispute);
    await env.emulator.idle();
    expect((await db().dispute.findUniqueOrThrow({ where: { id: dispute } })).status).toBe("lost");
    expect(callsInTransaction).toEqual([]);
  });

  it("packs paid by bank debit, settled and failed", async () => {
    for (const account of [BANK.settles, BANK.insufficientFunds]) {
      const ws = await workspaceOnClock(env, "tx-bank");
      const checkout = await packCheckout(ws);
      expect((await payByBankOnHostedPage(checkout.url, account)).status).toBe(303);
      await env.emulator.idle();
      await ws.advanceTo(ws.start + 120);
      const purchase = await db().extrasPurchase.findUniqueOrThrow({ where: { checkoutSessionId: checkout.sessionId } });
      expect(purchase.status).toBe(account === BANK.settles ? "paid" : "failed");
    }
    expect(callsInTransaction).toEqual([]);
  });

  it("a pack checkout left to expire", async () => {
    const ws = await newWorkspace("tx-expired");
    const open = await packCheckout(ws);
    await env.stripe.checkout.sessions.expire(open.sessionId);
    await env.emulator.idle();
    expect((await db().extrasPurchase.findUniqueOrThrow({ where: { checkoutSessionId: open.sessionId } })).status).toBe("expired");
    expect(callsInTransaction).toEqual([]);
  });

  it("every handled kind of event went through the webhook in a transaction of its own", async () => {
    const ids = env.deliveries.map((d) => d.id);
    const processed = await db().stripeEvent.findMany({ where: { id: { in: ids }, status: "processed" }, select: { type: true } });
    expect([...new Set(processed.map((e) => e.type))].sort()).toEqual(expect.arrayContaining([
      "charge.dispute.closed", "charge.dispute.created", "charge.refunded",
      "checkout.session.async_payment_failed", "checkout.session.async_payment_succeeded", "checkout.session.completed", "checkout.session.expired",
      "customer.subscription.created", "customer.subscription.deleted", "customer.subscription.trial_will_end", "customer.subscription.updated",
      "invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_failed", "invoice.payment_succeeded",
      "payment_intent.payment_failed", "payment_intent.succeeded", "refund.failed", "refund.updated",
    ]));
    expect(transactions).toBeGreaterThanOrEqual(processed.length);
  });
});
