import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { checkInvariants, recordUsage } from "@/lib/billing";
import { billingAlerts } from "@/lib/billing-views/alerts";
import { billingOverview } from "@/lib/billing-views/overview";
import { openDisputesByLot } from "@/lib/billing-views/purchases";
import { HANDLED_EVENT_TYPES, processStripeEvent, refundExtrasPurchase, startPackCheckout } from "@/lib/payments";
import { CARDS, deliverThrice, eventsAbout, newWorkspace, pay, requestKey, startPayments, type PaymentsEnv } from "./helpers";

// A pack bought with the dispute test card (4000 0000 0000 0259) is disputed as fraudulent right after it is
// paid: its units are frozen, given back if the dispute is won, kept out if it is lost; operators are told.

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const balanceOf = async (workspaceId: string) => (await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId } })).balance.toString();
const disputeEntries = async (workspaceId: string) =>
  (await db().ledgerEntry.findMany({ where: { workspaceId, kind: "dispute" }, orderBy: { seq: "asc" } })).map((e) => [e.causeType, e.units.toString()]);
const alertsAbout = (disputeId: string) => db().operatorAlert.findMany({ where: { subjectId: disputeId }, orderBy: { createdAt: "asc" } });
const failedDeliveries = () => env.deliveries.filter((d) => d.status >= 300);

async function disputedPack(label: string) {
  const ws = await newWorkspace(label);
  const { url, sessionId } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
  await pay(url, CARDS.disputed);
  await env.emulator.idle();
  const lot = await db().extrasLot.findUniqueOrThrow({ where: { checkoutSessionId: sessionId } });
  const [dispute] = (await env.stripe.disputes.list({ payment_intent: lot.paymentIntentId! })).data;
  return { ...ws, lot, dispute: dispute! };
}

async function deliverAllAbout(disputeId: string) {
  for (const type of ["charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed"]) {
    for (const e of await eventsAbout(env.stripe, type, disputeId)) await deliverThrice(e);
  }
}

describe("a disputed pack purchase", () => {
  it("the dispute events are handled", () => {
    expect(HANDLED_EVENT_TYPES).toEqual(expect.arrayContaining(["charge.dispute.created", "charge.dispute.closed"]));
  });

  it("freezes the pack's units when opened, gives them back once when won, and tells operators", async () => {
    const { workspaceId, lot, dispute } = await disputedPack("dispute-won");
    expect(await balanceOf(workspaceId)).toBe("0");
    expect(await disputeEntries(workspaceId)).toEqual([["dispute", "-500"]]);
    const row = await db().dispute.findUniqueOrThrow({ where: { id: dispute.id } });
    expect([row.status, row.lotId, row.frozenUnits.toString(), row.closedAt]).toEqual(["needs_response", lot.id, "500", null]);
    expect((await alertsAbout(dispute.id)).map((a) => a.kind)).toEqual(["dispute_opened"]);
    expect((await openDisputesByLot(db(), workspaceId)).get(lot.id)?.frozenUnits).toBe("500");
    expect(billingAlerts(await billingOverview(db(), workspaceId))).toEqual(expect.arrayContaining([{ kind: "extras_frozen", units: "500" }]));
    // Refunds are refused while the payment is disputed (Stripe refuses them), in words.
    await expect(refundExtrasPurchase(db(), { workspaceId, lotId: lot.id, refundRequestId: requestKey() })).rejects.toThrow(/disputed/);

    await deliverAllAbout(dispute.id);
    expect(await disputeEntries(workspaceId)).toEqual([["dispute", "-500"]]);

    await env.stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: "winning_evidence" } });
    await env.emulator.idle();
    expect(await balanceOf(workspaceId)).toBe("500");
    expect(await disputeEntries(workspaceId)).toEqual([["dispute", "-500"], ["dispute_won", "500"]]);
    expect((await db().dispute.findUniqueOrThrow({ where: { id: dispute.id } })).status).toBe("won");
    expect((await alertsAbout(dispute.id)).map((a) => a.kind)).toEqual(["dispute_opened", "dispute_closed"]);
    expect(billingAlerts(await billingOverview(db(), workspaceId)).map((a) => a.kind)).not.toContain("extras_frozen");

    await deliverAllAbout(dispute.id);
    expect(await disputeEntries(workspaceId)).toEqual([["dispute", "-500"], ["dispute_won", "500"]]);
    expect(await alertsAbout(dispute.id)).toHaveLength(2);
    expect(await checkInvariants(db(), { workspaceId })).toEqual([]);
    expect(failedDeliveries()).toEqual([]);
  });

  it("keeps the units out when the dispute is lost", async () => {
    const { workspaceId, dispute } = await disputedPack("dispute-lost");
    await env.stripe.disputes.close(dispute.id);
    await env.emulator.idle();
    await deliverAllAbout(dispute.id);
    expect(await balanceOf(workspaceId)).toBe("0");
    expect(await disputeEntries(workspaceId)).toEqual([["dispute", "-500"], ["dispute_lost", "0"]]);
    expect((await db().dispute.findUniqueOrThrow({ where: { id: dispute.id } })).status).toBe("lost");
    expect(await checkInvariants(db(), { workspaceId })).toEqual([]);
  });

  it("freezes only the disputed pack: the workspace's other extras stay as they are, also when the dispute is lost", async () => {
    const ws = await newWorkspace("dispute-spent");
    const { url, sessionId } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
    await pay(url, CARDS.ok);
    await env.emulator.idle();
    // Spend 300 of the first pack's units (the Free plan's quota first), then buy a disputed pack.
    const free = (await db().subscription.findUniqueOrThrow({ where: { workspaceId: ws.workspaceId }, include: { plan: { include: { entitlements: true } } } })).plan.entitlements.find((e) => e.feature === "compute")!;
    await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", units: Number(free.limit) + 300, idempotencyKey: "spend" });
    expect(await balanceOf(ws.workspaceId)).toBe("200");
    const first = await db().extrasLot.findUniqueOrThrow({ where: { checkoutSessionId: sessionId } });
    const { dispute } = await disputedPackFor(ws);
    // The disputed pack's 500 are frozen; the balance keeps the first pack's 200.
    expect(await balanceOf(ws.workspaceId)).toBe("200");
    expect((await db().extrasLot.findUniqueOrThrow({ where: { id: first.id } })).remaining.toString()).toBe("200");
    await env.stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: "losing_evidence" } });
    await env.emulator.idle();
    expect(await balanceOf(ws.workspaceId)).toBe("200");
    expect(await checkInvariants(db(), { workspaceId: ws.workspaceId })).toEqual([]);
  });

  it("a dispute heard before its purchase was credited fails, and applies once the purchase is", async () => {
    const { workspaceId, lot, dispute } = await disputedPack("dispute-early");
    const [created] = await eventsAbout(env.stripe, "charge.dispute.created", dispute.id);
    // As if the dispute came before the purchase was credited: the lot is not found by its payment yet.
    await db().dispute.delete({ where: { id: dispute.id } });
    const moved = await db().extrasLot.update({ where: { id: lot.id }, data: { paymentIntentId: null } });
    const early = await processStripeEvent(db(), { ...created!, id: `${created!.id}_early` });
    expect(early.outcome).toBe("failed");
    await db().extrasLot.update({ where: { id: moved.id }, data: { paymentIntentId: lot.paymentIntentId } });
    expect((await processStripeEvent(db(), { ...created!, id: `${created!.id}_early` })).outcome).toBe("processed");
    expect(await disputeEntries(workspaceId)).toEqual([["dispute", "-500"]]);
  });
});

async function disputedPackFor(ws: { workspaceId: string; slug: string }) {
  const { url, sessionId } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
  await pay(url, CARDS.disputed);
  await env.emulator.idle();
  const lot = await db().extrasLot.findUniqueOrThrow({ where: { checkoutSessionId: sessionId } });
  const [dispute] = (await env.stripe.disputes.list({ payment_intent: lot.paymentIntentId! })).data;
  return { lot, dispute: dispute! };
}
