import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startPackCheckout, startPlanCheckout } from "@/lib/payments";
import { GET as reconcile } from "@/app/api/cron/reconcile/route";
import { newWorkspace, pay, requestKey, startPayments, subscriptionOf, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

async function runReconcile(): Promise<{ catalog: { found: number; created: number } }> {
  const res = await reconcile(new Request("http://app.local/api/cron/reconcile", { headers: { authorization: `Bearer ${process.env.CRON_SECRET}` } }));
  expect(res.status).toBe(200);
  return (await res.json()) as { catalog: { found: number; created: number } };
}

const priceCount = async () => (await db().plan.count({ where: { active: true, monthlyPriceCents: { gt: 0 } } })) * 2 + (await db().extrasPack.count({ where: { active: true } }));

describe("the reconcile cron repairs a catalog missing on the Stripe side", () => {
  it("creates the prices a new Stripe account lacks, and the next checkout goes through", async () => {
    // The database keeps the ids of prices this account does not have (a new Stripe account, a wiped test mode).
    env.emulator.reset();
    const ws = await newWorkspace("repair-missing");
    await expect(startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "pro", interval: "month", requestKey: requestKey() })).rejects.toThrow(/No such price/);

    const first = await runReconcile();
    expect(first.catalog).toEqual({ found: 0, created: await priceCount() });

    const { url, sessionId } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "pro", interval: "month", requestKey: requestKey() });
    const pro = await db().plan.findFirstOrThrow({ where: { key: "pro", active: true }, orderBy: { version: "desc" } });
    const lines = await env.stripe.checkout.sessions.listLineItems(sessionId);
    expect(lines.data.map((l) => l.price?.id)).toEqual([pro.stripeMonthlyPriceId]);
    await pay(url);
    await env.emulator.idle();
    expect(await subscriptionOf(ws.workspaceId)).toMatchObject({ status: "active", plan: { key: "pro" } });
    expect((await runReconcile()).catalog).toEqual({ found: await priceCount(), created: 0 });
  });

  it("fills in price ids the database never had, instead of answering that prices are not synced", async () => {
    await db().plan.updateMany({ data: { stripeMonthlyPriceId: null, stripeAnnualPriceId: null } });
    await db().extrasPack.updateMany({ data: { stripePriceId: null } });
    const ws = await newWorkspace("repair-unsynced");
    await expect(startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() })).rejects.toMatchObject({ code: "billing_unavailable", message: "Prices are not synced to Stripe yet; try again in a minute." });

    expect((await runReconcile()).catalog).toEqual({ found: await priceCount(), created: 0 });
    const { url } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
    await pay(url);
    await env.emulator.idle();
    expect((await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId: ws.workspaceId } })).balance.toString()).toBe("500");
  });
});
