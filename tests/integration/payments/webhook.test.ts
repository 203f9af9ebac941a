import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startPackCheckout } from "@/lib/payments";
import { GET as reconcileRoute } from "@/app/api/cron/reconcile/route";
import { deliver, eventsOf, newWorkspace, pay, requestKey, startPayments, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments();
});
afterAll(async () => {
  await env?.stop();
});

/** A paid pack checkout whose events nobody has delivered yet. */
async function packBought() {
  const ws = await newWorkspace("hook");
  const { sessionId, url } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
  await pay(url);
  const completed = (await eventsOf(env.stripe, "checkout.session.completed")).find((e) => (e.data.object as { id: string }).id === sessionId)!;
  return { ...ws, sessionId, completed };
}

const stored = (id: string) => db().stripeEvent.findUnique({ where: { id } });
const lots = (workspaceId: string) => db().extrasLot.findMany({ where: { workspaceId } });

describe("POST /api/webhooks/stripe", () => {
  it("applies one event once when it is delivered 10 times in parallel and again later; every answer is 2xx", async () => {
    const { workspaceId, completed } = await packBought();
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(completed)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const bodies = await Promise.all(answers.map((a) => a.json() as Promise<{ duplicate?: boolean }>));
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);
    expect(await lots(workspaceId)).toHaveLength(1);
    expect((await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId } })).balance.toString()).toBe("500");
    expect(await stored(completed.id)).toMatchObject({ status: "processed", attempts: 1, lastError: null });

    const later = await deliver(completed);
    expect(later.status).toBe(200);
    expect(await lots(workspaceId)).toHaveLength(1);
    expect((await db().ledgerEntry.findMany({ where: { workspaceId } })).map((e) => [e.kind, e.units.toString()])).toEqual([["topup", "500"]]);
    expect(await stored(completed.id)).toMatchObject({ status: "processed", attempts: 1 });
  });

  it("refuses a tampered body, a wrong secret, a missing header and a 301-second-old timestamp with 400 and stores nothing", async () => {
    const { workspaceId, completed } = await packBought();
    const body = JSON.stringify(completed, null, 2);
    const tampered = body.replace(`"${workspaceId}"`, `"ws_someone_else"`);
    expect(tampered).not.toBe(body);
    const answers = [
      await deliver(completed, { body: tampered }),
      await deliver(completed, { secret: "whsec_not_the_right_one" }),
      await deliver(completed, { signature: null }),
      await deliver(completed, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400]);
    expect(await stored(completed.id)).toBeNull();
    expect(await lots(workspaceId)).toHaveLength(0);
    // 299 seconds old is still within the tolerance.
    expect((await deliver(completed, { timestamp: Math.floor(Date.now() / 1000) - 299 })).status).toBe(200);
  });

  it("answers 200 to an unhandled type", async () => {
    const event = { id: `evt_${crypto.randomUUID().replaceAll("-", "")}`, object: "event", type: "customer.tax_id.created", api_version: "2026-10-28.endive", created: Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object: { id: "txi_1", object: "tax_id" } } };
    const res = await deliver(JSON.stringify(event));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, handled: false });
    expect(await stored(event.id)).toMatchObject({ status: "processed", type: "customer.tax_id.created" });
  });

  it("answers 500 when applying fails, stores the event as failed with its error, and a later retry processes it once", async () => {
    const { workspaceId, completed } = await packBought();
    const lotPi = (completed.data.object as { payment_intent: string }).payment_intent;
    await env.stripe.refunds.create({ payment_intent: lotPi, amount: 500 });
    const refunded = (await eventsOf(env.stripe, "charge.refunded")).find((e) => (e.data.object as { payment_intent: string }).payment_intent === lotPi)!;

    // The refund arrives before the purchase was credited: it cannot be clawed back yet.
    const failed = await deliver(refunded);
    expect(failed.status).toBe(500);
    const row = await stored(refunded.id);
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row!.lastError).toMatch(/not credited yet/);

    expect((await deliver(completed)).status).toBe(200);
    // Stripe's retry of the same event now succeeds; the clawback happens once.
    expect((await deliver(refunded)).status).toBe(200);
    expect(await stored(refunded.id)).toMatchObject({ status: "processed", attempts: 2, lastError: null });
    expect((await deliver(refunded)).status).toBe(200);
    const entries = await db().ledgerEntry.findMany({ where: { workspaceId }, orderBy: { seq: "asc" } });
    expect(entries.map((e) => [e.kind, e.units.toString()])).toEqual([["topup", "500"], ["refund", "-125"]]);
  });

  it("the reconcile cron retries a failed event and processes it once", async () => {
    const { workspaceId, completed } = await packBought();
    const lotPi = (completed.data.object as { payment_intent: string }).payment_intent;
    await env.stripe.refunds.create({ payment_intent: lotPi });
    const refunded = (await eventsOf(env.stripe, "charge.refunded")).find((e) => (e.data.object as { payment_intent: string }).payment_intent === lotPi)!;
    expect((await deliver(refunded)).status).toBe(500);
    expect((await deliver(completed)).status).toBe(200);

    const run = () => reconcileRoute(new Request("http://app.local/api/cron/reconcile", { headers: { authorization: `Bearer ${process.env.CRON_SECRET}` } }));
    const res = await run();
    expect(res.status).toBe(200);
    expect(await stored(refunded.id)).toMatchObject({ status: "processed", attempts: 2 });
    expect((await run()).status).toBe(200);
    const entries = await db().ledgerEntry.findMany({ where: { workspaceId }, orderBy: { seq: "asc" } });
    expect(entries.map((e) => [e.kind, e.units.toString()])).toEqual([["topup", "500"], ["refund", "-500"]]);
    expect((await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId } })).balance.toString()).toBe("0");
  });
});
