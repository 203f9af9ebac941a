// Out of order: the refund of a subscription invoice is seen before the invoice.paid that grants the plan's
// extras. The refund finds no grant then; the grant, once made, takes in the refunds Stripe already has.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startPlanCheckout } from "@/lib/payments";
import { deliver, eventsAbout, newWorkspace, pay, requestKey, startPayments, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments();
});
afterAll(async () => {
  await env?.stop();
});

const balanceOf = async (workspaceId: string) => (await db().extrasAccount.findUnique({ where: { workspaceId } }))?.balance.toFixed() ?? "0";

describe("a subscription invoice refunded before its grant was applied", () => {
  it("the grant, when it comes, is taken back as the refund says", async () => {
    const ws = await newWorkspace("grant-late");
    const { url, sessionId } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "pro", interval: "month", requestKey: requestKey() });
    await pay(url);
    const session = await env.stripe.checkout.sessions.retrieve(sessionId);
    const [completed] = await eventsAbout(env.stripe, "checkout.session.completed", sessionId);
    expect((await deliver(completed!)).status).toBe(200);
    const invoiceId = session.invoice as string;
    const invoice = await env.stripe.invoices.retrieve(invoiceId, { expand: ["payments"] });
    const paymentIntentId = invoice.payments!.data[0]!.payment.payment_intent as string;

    // Refunded in full, and that event handled while no grant exists: nothing to take back yet.
    const refund = await env.stripe.refunds.create({ payment_intent: paymentIntentId });
    const [refunded] = (await eventsAbout(env.stripe, "charge.refunded", refund.charge as string));
    expect((await deliver(refunded!)).status).toBe(200);
    expect(await db().extrasLot.count({ where: { workspaceId: ws.workspaceId, source: "grant" } })).toBe(0);

    // Then the invoice.paid that grants: the grant is made and taken back at once; a repeat changes nothing.
    const [paid] = await eventsAbout(env.stripe, "invoice.paid", invoiceId);
    expect((await deliver(paid!)).status).toBe(200);
    const grant = await db().extrasLot.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, source: "grant" } });
    expect(grant.refundedCents).toBe(grant.amountCents);
    expect(await balanceOf(ws.workspaceId)).toBe("0");
    expect((await deliver(paid!)).status).toBe(200);
    expect((await deliver(refunded!)).status).toBe(200);
    expect(await db().ledgerEntry.count({ where: { workspaceId: ws.workspaceId, lotId: grant.id, kind: "refund" } })).toBe(1);
  });

  it("a grant made before grants carried their payment: a later invoice event about it still applies", async () => {
    const ws = await newWorkspace("grant-old");
    const { url, sessionId } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "pro", interval: "month", requestKey: requestKey() });
    await pay(url);
    const [completed] = await eventsAbout(env.stripe, "checkout.session.completed", sessionId);
    expect((await deliver(completed!)).status).toBe(200);
    const invoiceId = (await env.stripe.checkout.sessions.retrieve(sessionId)).invoice as string;
    const [paid] = await eventsAbout(env.stripe, "invoice.paid", invoiceId);
    expect((await deliver(paid!)).status).toBe(200);
    // As an older grant has it: no payment on the lot. The payment is then refunded in part.
    const grant = await db().extrasLot.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, source: "grant" } });
    const paymentIntentId = grant.paymentIntentId!;
    await db().extrasLot.update({ where: { id: grant.id }, data: { paymentIntentId: null, amountCents: null, currency: null } });
    await env.stripe.refunds.create({ payment_intent: paymentIntentId, amount: 100 });
    const [succeeded] = await eventsAbout(env.stripe, "invoice.payment_succeeded", invoiceId);
    expect((await deliver(succeeded!)).status).toBe(200);
    expect(await balanceOf(ws.workspaceId)).toBe(grant.units.toFixed());
  });
});
