import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { purchasesInProgress } from "@/lib/billing-views/purchases";
import { HANDLED_EVENT_TYPES, startPackCheckout, syncCheckoutReturn } from "@/lib/payments";
import { BANK, payByBankOnHostedPage } from "@tally/stripe-emulator/testing";
import { deliverThrice, eventsAbout, requestKey, startPayments, workspaceOnClock, type PaymentsEnv } from "./helpers";

// Packs paid by US bank account debit (asynchronous): pending when checkout completes, then credited once or
// failed when the debit settles; an expired checkout closes its purchase.

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const balanceOf = async (workspaceId: string) => (await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId } })).balance.toString();
const purchaseOf = (checkoutSessionId: string) => db().extrasPurchase.findUniqueOrThrow({ where: { checkoutSessionId } });
const failedDeliveries = () => env.deliveries.filter((d) => d.status >= 300);

async function packByBank(label: string, account: string) {
  const ws = await workspaceOnClock(env, label);
  const { url, sessionId } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
  expect((await purchaseOf(sessionId)).status).toBe("open");
  const res = await payByBankOnHostedPage(url, account);
  expect(res.status).toBe(303);
  await env.emulator.idle();
  return { ...ws, sessionId };
}

describe("a pack paid by bank debit", () => {
  it("the asynchronous checkout events are handled", () => {
    expect(HANDLED_EVENT_TYPES).toEqual(expect.arrayContaining(["checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed", "checkout.session.expired"]));
  });

  it("is pending until the debit clears, then credited exactly once", async () => {
    const ws = await packByBank("ach-ok", BANK.settles);
    // Completed but unpaid: nothing credited yet, the purchase shows as processing (the success page says so too).
    expect(await balanceOf(ws.workspaceId)).toBe("0");
    expect((await purchaseOf(ws.sessionId)).status).toBe("processing");
    expect(await syncCheckoutReturn(db(), { workspaceId: ws.workspaceId, sessionId: ws.sessionId })).toEqual(expect.objectContaining({ kind: "extras", state: "pending" }));
    expect((await purchasesInProgress(db(), ws.workspaceId)).map((p) => [p.packName, p.status])).toEqual([["500 compute", "processing"]]);

    await ws.advanceTo(ws.start + 120);
    expect(await balanceOf(ws.workspaceId)).toBe("500");
    expect((await purchaseOf(ws.sessionId)).status).toBe("paid");
    expect(await purchasesInProgress(db(), ws.workspaceId)).toEqual([]);

    // completed and async_payment_succeeded both credit by session: every delivery, again, credits once.
    for (const type of ["checkout.session.completed", "checkout.session.async_payment_succeeded"]) {
      for (const e of await eventsAbout(env.stripe, type, ws.sessionId)) await deliverThrice(e);
    }
    await syncCheckoutReturn(db(), { workspaceId: ws.workspaceId, sessionId: ws.sessionId });
    expect(await db().ledgerEntry.count({ where: { workspaceId: ws.workspaceId, kind: "topup" } })).toBe(1);
    expect([await balanceOf(ws.workspaceId), (await purchaseOf(ws.sessionId)).status]).toEqual(["500", "paid"]);
    expect(failedDeliveries()).toEqual([]);
  });

  it("fails without crediting anything: the purchase says why and the owners are told once", async () => {
    const ws = await packByBank("ach-nsf", BANK.insufficientFunds);
    await ws.advanceTo(ws.start + 120);
    expect(await balanceOf(ws.workspaceId)).toBe("0");
    const purchase = await purchaseOf(ws.sessionId);
    expect([purchase.status, purchase.failureMessage]).toEqual(["failed", "insufficient funds"]);
    expect((await purchasesInProgress(db(), ws.workspaceId)).map((p) => [p.status, p.failureMessage])).toEqual([["failed", "insufficient funds"]]);
    for (const type of ["checkout.session.completed", "checkout.session.async_payment_failed"]) {
      for (const e of await eventsAbout(env.stripe, type, ws.sessionId)) await deliverThrice(e);
    }
    expect((await purchaseOf(ws.sessionId)).status).toBe("failed");
    const told = await db().notification.findMany({ where: { workspaceId: ws.workspaceId, kind: "pack_payment_failed" } });
    expect(told.map((n) => n.subject)).toEqual(["Your bank payment for 500 compute failed"]);
    expect(await db().extrasLot.count({ where: { workspaceId: ws.workspaceId } })).toBe(0);
    expect(failedDeliveries()).toEqual([]);
  });
});

describe("an expired pack checkout", () => {
  it("closes its open purchase, once; nothing is credited", async () => {
    const ws = await workspaceOnClock(env, "expired");
    const { sessionId } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
    await env.stripe.checkout.sessions.expire(sessionId);
    await env.emulator.idle();
    expect((await purchaseOf(sessionId)).status).toBe("expired");
    for (const e of await eventsAbout(env.stripe, "checkout.session.expired", sessionId)) await deliverThrice(e);
    expect((await purchaseOf(sessionId)).status).toBe("expired");
    expect(await purchasesInProgress(db(), ws.workspaceId)).toEqual([]);
    expect(await balanceOf(ws.workspaceId)).toBe("0");
    expect(failedDeliveries()).toEqual([]);
  });
});
