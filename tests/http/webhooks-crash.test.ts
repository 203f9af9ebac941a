// An instance killed with SIGKILL in the middle of sending webhooks loses no event: what it had claimed is sent
// again, with the same webhook-id and the same bytes, once its lease runs out.
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { createDb } from "@/lib/db";
import { seedCatalog } from "@/lib/billing/plans";
import { LEASE_MS, runDeliveries } from "@/lib/webhooks/deliver";
import { createEndpoint } from "@/lib/webhooks/endpoints";
import { EVENT_TYPE_LIST } from "@/lib/webhooks/event-types";
import { createWorkspace } from "@/lib/workspaces/create-workspace";
import { freePort, startEmbeddedPostgres, type EmbeddedPostgres } from "../../scripts/lib/pglite";
import { migrateDeploy } from "../../scripts/lib/migrate";
import { startReceiver } from "../helpers/webhook-receiver";
import { appInstance } from "../soak/instance";

const EVENTS = 200;
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

/** A database of this test's own, so the instance it kills is the only sender. */
async function ownDatabase(): Promise<string> {
  if (!process.env.DATABASE_URL) {
    const embedded: EmbeddedPostgres = await startEmbeddedPostgres({ maxConnections: 30 });
    cleanup.push(() => embedded.stop());
    return embedded.url;
  }
  const u = new URL(process.env.DATABASE_URL);
  const name = `${u.pathname.slice(1) || "tally"}_hooks_crash`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  cleanup.push(async () => {
    const a = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await a.end();
  });
  u.pathname = `/${name}`;
  return u.toString();
}

it("an instance killed mid-delivery loses nothing; redeliveries carry the same webhook-id and body", async () => {
  const url = await ownDatabase();
  migrateDeploy(url);
  const db = createDb(url, 4);
  cleanup.push(() => db.$disconnect());
  await seedCatalog(db);
  const user = await db.user.create({ data: { email: `crash-${crypto.randomUUID().slice(0, 8)}@example.test` } });
  const ws = await createWorkspace(db, { name: "Crash test", ownerId: user.id });

  const receiver = await startReceiver({ holdMs: 1_500 });
  cleanup.push(() => receiver.close());
  const { secret } = await createEndpoint(db, { id: user.id, email: user.email }, { url: receiver.url, eventTypes: EVENT_TYPE_LIST });
  receiver.state.secret = secret;

  const b = appInstance({
    name: "b", port: await freePort(), databaseUrl: url, log: "test-results/http-webhooks-crash.log",
    env: { AUTH_SECRET: "http-test-auth-secret-0123456789", CRON_SECRET: "http-test-cron-secret-0123456789", STRIPE_WEBHOOK_SECRET: "whsec_http_test_0123456789",
      // The embedded PGlite server runs every connection in one session: one connection there, as tests/http/server.ts does.
      DATABASE_POOL_MAX: process.env.DATABASE_URL ? "4" : "1" },
  });
  cleanup.push(() => b.stop());
  await b.start();

  // One committed change writing many events: the instance hears of it (NOTIFY after commit) and starts sending.
  await db.$executeRaw`SELECT tally_webhook_emit(${ws.id}, 'extras.credited', jsonb_build_object('n', i)) FROM generate_series(1, ${EVENTS}::int) i`;
  const start = Date.now();
  while (receiver.state.hits < 10 && Date.now() - start < 30_000) await new Promise((r) => setTimeout(r, 20));
  expect(receiver.state.hits).toBeGreaterThanOrEqual(10);
  await b.kill();
  const inFlight = await db.webhookDelivery.count({ where: { status: "pending", leaseUntil: { not: null } } });
  expect(inFlight).toBeGreaterThan(0);

  // Another sender, a lease later, finds what the dead one had claimed and sends everything left.
  const summary = await runDeliveries(db, { now: () => new Date(Date.now() + LEASE_MS + 1_000) });
  expect(summary.failed).toBe(0);
  expect(await db.webhookDelivery.count({ where: { status: { not: "delivered" } } })).toBe(0);

  expect(receiver.state.rejected).toBe(0);
  const byId = new Map<string, string[]>();
  for (const r of receiver.received) byId.set(r.id, [...(byId.get(r.id) ?? []), r.raw]);
  expect(byId.size).toBe(EVENTS);
  const events = await db.outboxEvent.findMany({ select: { id: true, data: true } });
  expect(new Set(events.map((e) => e.id))).toEqual(new Set(byId.keys()));
  const redelivered = [...byId.values()].filter((raws) => raws.length > 1);
  expect(redelivered.length).toBeGreaterThan(0);
  for (const raws of redelivered) expect(new Set(raws).size).toBe(1);
  for (const e of events) expect(JSON.parse(byId.get(e.id)![0]!).data).toEqual(e.data);
}, 240_000);
