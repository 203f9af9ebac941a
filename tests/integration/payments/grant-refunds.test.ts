// A plan's grant comes with a paid subscription invoice: refunding that invoice's payment (a duplicate
// subscription's refund, or one an operator made in Stripe) takes the grant back in proportion, as a pack's
// refund takes its units back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startPayments, subscribedOnClock, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const balanceOf = async (workspaceId: string) => (await db().extrasAccount.findUnique({ where: { workspaceId } }))?.balance.toFixed() ?? "0";

describe("a refunded subscription invoice", () => {
  it("takes back the grant it came with, in proportion, once", async () => {
    const ws = await subscribedOnClock(env, "pro", "grant-refund");
    const grant = await db().extrasLot.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, source: "grant" } });
    expect(grant.paymentIntentId).toMatch(/^pi_/);
    expect(grant.amountCents).toBeGreaterThan(0);
    expect(await balanceOf(ws.workspaceId)).toBe(grant.units.toFixed());

    // Half the invoice back: half the grant's units.
    await env.stripe.refunds.create({ payment_intent: grant.paymentIntentId!, amount: grant.amountCents! / 2 });
    await env.emulator.idle();
    expect(await balanceOf(ws.workspaceId)).toBe(grant.units.div(2).toFixed());
    // The rest: nothing left, and the ledger says why.
    await env.stripe.refunds.create({ payment_intent: grant.paymentIntentId! });
    await env.emulator.idle();
    expect(await balanceOf(ws.workspaceId)).toBe("0");
    const refunds = await db().ledgerEntry.findMany({ where: { workspaceId: ws.workspaceId, lotId: grant.id, kind: "refund" } });
    expect(refunds).toHaveLength(2);
    expect(await db().extrasLot.findUniqueOrThrow({ where: { id: grant.id } })).toMatchObject({ refundedCents: grant.amountCents });
  });
});
