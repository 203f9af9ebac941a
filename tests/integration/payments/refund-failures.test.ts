import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { checkInvariants } from "@/lib/billing";
import { HANDLED_EVENT_TYPES, refundExtrasPurchase, startPackCheckout } from "@/lib/payments";
import { CARDS, deliver, eventsOf, newWorkspace, pay, requestKey, startPayments, type PaymentsEnv } from "./helpers";

// Refunds that Stripe reports as failed after answering "succeeded" (test card 4000 0000 0000 5126).
// Webhooks are delivered by hand here, so each step's effect is seen in order.

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments();
});
afterAll(async () => {
  await env?.stop();
});

const balanceOf = async (workspaceId: string) => (await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId } })).balance.toString();
const refundedCentsOf = async (lotId: string) => (await db().extrasLot.findUniqueOrThrow({ where: { id: lotId } })).refundedCents;

/** Delivers every stored event of `type` about the object `objectId`; each must be answered 200. */
async function deliverAbout(type: string, objectId: string) {
  const events = (await eventsOf(env.stripe, type)).filter((e) => (e.data.object as { id: string }).id === objectId);
  expect(events.length).toBeGreaterThan(0);
  for (const e of events.reverse()) expect((await deliver(e)).status).toBe(200);
}

async function packPaidWith(card: string) {
  const ws = await newWorkspace("refund-fail");
  const { url, sessionId } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
  await pay(url, card);
  await deliverAbout("checkout.session.completed", sessionId);
  const lot = await db().extrasLot.findUniqueOrThrow({ where: { checkoutSessionId: sessionId } });
  const charge = (await env.stripe.charges.list({ payment_intent: lot.paymentIntentId! })).data[0]!;
  return { ...ws, lot, chargeId: charge.id };
}

describe("a refund that fails after it was made", () => {
  it("is handled on refund.updated and refund.failed", () => {
    expect(HANDLED_EVENT_TYPES).toEqual(expect.arrayContaining(["charge.refunded", "refund.updated", "refund.failed"]));
  });

  it("gives back the units it took, once, and its cents no longer count as refunded", async () => {
    const { workspaceId, lot, chargeId } = await packPaidWith(CARDS.refundFails);
    expect(await balanceOf(workspaceId)).toBe("500");

    const r = await refundExtrasPurchase(db(), { workspaceId, lotId: lot.id, amountCents: 500, refundRequestId: requestKey() });
    expect([r.clawedUnits, r.balance]).toEqual(["125", "375"]);
    expect(await refundedCentsOf(lot.id)).toBe(500);
    expect((await env.stripe.refunds.retrieve(r.refundId)).status).toBe("failed");

    await deliverAbout("refund.failed", r.refundId);
    expect(await balanceOf(workspaceId)).toBe("500");
    expect(await refundedCentsOf(lot.id)).toBe(0);
    expect(r.status).toBe("succeeded"); // what Stripe answered when the refund was made
    // Every other delivery about it converges on the same state: given back once.
    await deliverAbout("refund.updated", r.refundId);
    await deliverAbout("charge.refunded", chargeId);
    await deliverAbout("refund.failed", r.refundId);
    const entries = await db().ledgerEntry.findMany({ where: { workspaceId, kind: "refund" }, orderBy: { seq: "asc" } });
    expect(entries.map((e) => [e.units.toString(), e.causeType, e.causeId])).toEqual([
      ["-125", "refund", r.refundId],
      ["125", "failed_refund", r.refundId],
    ]);
    expect(await balanceOf(workspaceId)).toBe("500");

    // The whole price can be refunded again (Stripe's refunded amount went back down too); it fails the same way.
    const again = await refundExtrasPurchase(db(), { workspaceId, lotId: lot.id, refundRequestId: requestKey() });
    expect([again.amountCents, again.clawedUnits, again.balance]).toEqual([2000, "500", "0"]);
    await deliverAbout("charge.refunded", chargeId);
    expect(await balanceOf(workspaceId)).toBe("500");
    expect(await refundedCentsOf(lot.id)).toBe(0);
    expect(await checkInvariants(db(), { workspaceId })).toEqual([]);
  });

  it("a new refund made before the app heard that the last one failed: the failed one is given back first, so the new one fits", async () => {
    const { workspaceId, lot, chargeId } = await packPaidWith(CARDS.refundFails);
    const first = await refundExtrasPurchase(db(), { workspaceId, lotId: lot.id, refundRequestId: requestKey() });
    expect([first.amountCents, first.clawedUnits, first.balance]).toEqual([2000, "500", "0"]);
    // No webhook yet; Stripe already counts the first refund as failed, so the whole price can be refunded again.
    const second = await refundExtrasPurchase(db(), { workspaceId, lotId: lot.id, refundRequestId: requestKey() });
    expect([second.amountCents, second.clawedUnits, second.balance]).toEqual([2000, "500", "0"]);
    expect(await refundedCentsOf(lot.id)).toBe(2000);
    await deliverAbout("charge.refunded", chargeId);
    expect([await balanceOf(workspaceId), await refundedCentsOf(lot.id)]).toEqual(["500", 0]);
    expect(await checkInvariants(db(), { workspaceId })).toEqual([]);
  });

  it("a refund seen failed before the app took anything is recorded and never taken later", async () => {
    const { workspaceId, lot, chargeId } = await packPaidWith(CARDS.refundFails);
    // Refunded from Stripe's side (the dashboard): the app first hears of it when it has already failed.
    const refund = await env.stripe.refunds.create({ payment_intent: lot.paymentIntentId!, amount: 1000 });
    await deliverAbout("charge.refunded", chargeId);
    await deliverAbout("refund.failed", refund.id);
    const entries = await db().ledgerEntry.findMany({ where: { workspaceId, kind: "refund" } });
    expect(entries.map((e) => [e.units.toString(), e.causeType])).toEqual([["0", "failed_refund"]]);
    expect([await balanceOf(workspaceId), await refundedCentsOf(lot.id)]).toEqual(["500", 0]);
  });

  it("a refund that succeeds is clawed back on charge.refunded and stays so on refund.updated", async () => {
    const { workspaceId, lot, chargeId } = await packPaidWith(CARDS.ok);
    const refund = await env.stripe.refunds.create({ payment_intent: lot.paymentIntentId!, amount: 1000 });
    await deliverAbout("charge.refunded", chargeId);
    expect([await balanceOf(workspaceId), await refundedCentsOf(lot.id)]).toEqual(["250", 1000]);
    await env.stripe.refunds.update(refund.id, { metadata: { note: "seen" } });
    await deliverAbout("refund.updated", refund.id);
    await deliverAbout("charge.refunded", chargeId);
    expect([await balanceOf(workspaceId), await refundedCentsOf(lot.id)]).toEqual(["250", 1000]);
    expect(await db().ledgerEntry.count({ where: { workspaceId, kind: "refund" } })).toBe(1);
  });
});
