// Item: a Stripe webhook delivered while the database is down is answered non-2xx, leaves nothing
// half-written, and is applied exactly once after recovery (the reconcile cron and a redelivery racing).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { checkInvariants } from "@/lib/billing";
import { startPackCheckout } from "@/lib/payments";
import { createStripeClient, setStripeClient, syncStripeCatalog } from "@/lib/stripe";
import { registerUser } from "@/lib/auth/users";
import { startOwnCluster, type OwnCluster } from "../../scripts/lib/pg-cluster";
import { startStripeEmulator, type StripeEmulatorHandle } from "@tally/stripe-emulator";
import { CARDS, payOnHostedPage } from "@tally/stripe-emulator/testing";
import { pickPort, startAppServer, type AppServer } from "../http/server";
import { createClient } from "../http/client";
import { CHAOS_PORTS } from "./env";
import { PASSWORD, uid } from "./helpers";

let cluster: OwnCluster;
let emu: StripeEmulatorHandle;
let app: AppServer;
let db: PrismaClient;
let stripe: ReturnType<typeof createStripeClient>;
beforeAll(async () => {
  cluster = await startOwnCluster();
  // Two quick retries fall inside the outage; the next is far beyond the test, so recovery is ours to drive.
  emu = await startStripeEmulator({ port: await pickPort(CHAOS_PORTS), webhookSecret: process.env.STRIPE_WEBHOOK_SECRET!, retryDelaysMs: [500, 1_000, 600_000], tickMs: 0, log: () => {} });
  app = await startAppServer({ databaseSuffix: "webhook", databaseUrl: cluster.url, portRange: CHAOS_PORTS, log: "test-results/chaos-webhook.log", env: { STRIPE_API_BASE: emu.url } });
  emu.setWebhookUrl(`${app.baseUrl}/api/webhooks/stripe`);
  db = createDb(cluster.url, 4);
  stripe = createStripeClient({ secretKey: "sk_test_emulator", apiBase: emu.url });
  setStripeClient(stripe);
  await syncStripeCatalog(db, stripe);
});
afterAll(async () => {
  setStripeClient(undefined);
  await db?.$disconnect();
  await app?.stop();
  await emu?.stop();
  cluster?.destroy();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("webhook during a database outage", () => {
  it("answers non-2xx, writes nothing, and applies the event exactly once after recovery", async () => {
    const { workspace } = await registerUser(db, { email: `hook-${uid()}@example.test`, password: PASSWORD, workspace: `Hook ${uid()}` });
    const { sessionId, url } = await startPackCheckout(db, { workspaceId: workspace.id, slug: workspace.slug, pack: "compute_500", requestKey: `req_${uid()}${uid()}` });
    await emu.idle();

    cluster.stop();
    const paid = await payOnHostedPage(url, CARDS.ok);
    expect(paid.status).toBeLessThan(400);
    const completed = (await stripe.events.list({ type: "checkout.session.completed", limit: 100 })).data.find((e) => (e.data.object as { id: string }).id === sessionId);
    expect(completed).toBeDefined();
    const eventId = completed!.id;
    const attempts = () => emu.emulator.webhooks.attempts.filter((a) => a.eventId === eventId);
    // Waits (bounded) until `n` deliveries of the event have an answer. The emulator's idle() would also
    // wait for the far retry still scheduled, so the attempts are watched instead.
    const answered = async (n: number) => {
      const deadline = Date.now() + 15_000;
      while (attempts().filter((a) => a.status !== null || a.error !== null).length < n && Date.now() < deadline) await sleep(100);
    };
    // The first delivery and its two quick retries all land while the database is down.
    await answered(3);
    const during = attempts();
    expect(during.length).toBe(3);
    for (const a of during) {
      expect(a.status).not.toBeNull();
      expect(a.status! < 200 || a.status! >= 300).toBe(true);
    }

    await cluster.start();
    // Nothing half-written: no stored event, no lot, no ledger entry, no balance.
    expect(await db.stripeEvent.findUnique({ where: { id: eventId } })).toBeNull();
    expect(await db.extrasLot.count({ where: { workspaceId: workspace.id } })).toBe(0);
    expect(await db.ledgerEntry.count({ where: { workspaceId: workspace.id } })).toBe(0);

    // Recovery: the reconcile cron and a redelivery of the event race; the pack is credited once.
    const cron = createClient(app.baseUrl, 4);
    const [reconciled] = await Promise.all([
      cron.request("/api/cron/reconcile", { headers: { authorization: `Bearer ${process.env.CRON_SECRET}` } }),
      (async () => {
        const before = attempts().length;
        expect(emu.redeliver(eventId)).toBe(true);
        await answered(before + 1);
      })(),
    ]);
    cron.close();
    expect(reconciled.status).toBe(200);
    const last = attempts().at(-1)!;
    expect(last.status).toBe(200);

    const lots = await db.extrasLot.findMany({ where: { workspaceId: workspace.id } });
    expect(lots.map((l) => [l.sourceRef, l.units.toString()])).toEqual([[expect.stringContaining(sessionId), "500"]]);
    const entries = await db.ledgerEntry.findMany({ where: { workspaceId: workspace.id } });
    expect(entries.map((e) => [e.kind, e.units.toString()])).toEqual([["topup", "500"]]);
    expect((await db.extrasAccount.findUniqueOrThrow({ where: { workspaceId: workspace.id } })).balance.toString()).toBe("500");
    expect(await db.stripeEvent.findUniqueOrThrow({ where: { id: eventId } })).toMatchObject({ status: "processed", attempts: 1 });
    expect(await checkInvariants(db, { workspaceId: workspace.id })).toEqual([]);

    // Stripe's later retries change nothing.
    const before = attempts().length;
    expect(emu.redeliver(eventId)).toBe(true);
    await answered(before + 1);
    expect(attempts().at(-1)!.status).toBe(200);
    expect(await db.ledgerEntry.count({ where: { workspaceId: workspace.id } })).toBe(1);
  });
});
