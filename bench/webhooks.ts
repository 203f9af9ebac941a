// Outgoing webhooks against a production server (`npm start`) and a local receiver that verifies every
// delivery: how many events per second are delivered, how long from the change's commit to the receiver, and
// what an endpoint subscribed to every type costs the metering API's hot path.
import pg from "pg";
import { createApiKey } from "../lib/api-keys";
import { createDb } from "../lib/db";
import { defaultPlans } from "../lib/billing/catalog";
import { publishPlan } from "../lib/billing/plans";
import { createEndpoint } from "../lib/webhooks/endpoints";
import { EVENT_TYPE_LIST } from "../lib/webhooks/event-types";
import { createWorkspace } from "../lib/workspaces/create-workspace";
import { startReceiver } from "../tests/helpers/webhook-receiver";
import { createClient, type Reply } from "../tests/http/client";
import { startAppServer } from "../tests/http/server";
import { load, loadFigures, merge, percentile, round, type BenchSuite, type LoadResult } from "./suite";

const CONNECTIONS = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = 4;
const BURST = 5_000;
const STREAM_SECONDS = 5;
const STREAM_WRITERS = 8;

const ok = (r: Reply) => {
  if (r.status !== 200) throw new Error(`expected 200, got ${r.status}: ${r.text.slice(0, 300)}`);
};

async function until(cond: () => boolean, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting for deliveries");
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const webhooksSuite: BenchSuite = {
  name: "webhooks",
  description: `outgoing webhooks (npm start, a local verifying receiver): delivered events/s, commit-to-delivery delay, usage hot with and without an endpoint`,
  async run(report) {
    const server = await startAppServer({ databaseSuffix: "bench_webhooks", poolMax: 20, log: "test-results/bench-webhooks-server.log" });
    const db = createDb(server.databaseUrl, 4);
    const pool = new pg.Pool({ connectionString: server.databaseUrl, max: STREAM_WRITERS });
    const api = createClient(server.baseUrl, CONNECTIONS);
    const receiver = await startReceiver();
    try {
      const spec = { ...defaultPlans[0]!, key: "bench_webhooks", entitlements: defaultPlans[0]!.entitlements.map((e) => (e.feature === "compute" ? { ...e, limit: "1000000000000", overflow: "block" as const } : e)) };
      const { plan } = await publishPlan(db, spec);
      const owner = await db.user.create({ data: { email: "bench-webhooks@example.test" } });
      const ws = await createWorkspace(db, { name: "Bench webhooks", ownerId: owner.id });
      await db.subscription.update({ where: { workspaceId: ws.id }, data: { planId: plan.id, status: "active" } });
      const key = (await createApiKey(db, { workspaceId: ws.id, name: "bench" })).secret;
      let n = 0;
      const usage = () => api.request("/api/v1/usage", { key, body: { feature: "compute", units: 1, idempotencyKey: `w-${n++}` } }).then(ok);

      // Usage hot without and with an endpoint subscribed to every type, alternated in slices.
      await load({ concurrency: CONNECTIONS, durationMs: 1_000, op: usage });
      const results: Record<string, LoadResult[]> = { without: [], with: [] };
      const slice = (SECONDS * 1000) / ROUNDS / 2;
      let endpointId: string | null = null;
      for (let r = 0; r < ROUNDS * 2; r++) {
        const withEndpoint = r % 2 === 1;
        if (withEndpoint && !endpointId) {
          const { endpoint, secret } = await createEndpoint(db, { id: owner.id, email: owner.email }, { url: receiver.url, eventTypes: EVENT_TYPE_LIST });
          receiver.state.secret = secret;
          endpointId = endpoint.id;
        }
        if (!withEndpoint && endpointId) await db.webhookEndpoint.update({ where: { id: endpointId }, data: { enabled: false } });
        if (withEndpoint) await db.webhookEndpoint.update({ where: { id: endpointId! }, data: { enabled: true } });
        results[withEndpoint ? "with" : "without"]!.push(await load({ concurrency: CONNECTIONS, durationMs: slice, op: usage }));
      }
      const without = merge(results.without!);
      const withHooks = merge(results.with!);
      for (const f of loadFigures("http.usage.hot.with_webhooks", withHooks)) report(f);
      report({ name: "ratio.http.hot.with_webhooks", value: round(withHooks.requests / withHooks.seconds / (without.requests / without.seconds), 3), unit: "x" });

      // Throughput: a burst of events committed at once, until the receiver has every one.
      const before = receiver.received.length;
      const t0 = performance.now();
      await pool.query(`SELECT tally_webhook_emit($1, 'extras.credited', jsonb_build_object('n', i)) FROM generate_series(1, ${BURST}) i`, [ws.id]);
      await until(() => receiver.received.length - before >= BURST, 300_000);
      report({ name: "webhooks.delivered", value: round(BURST / ((performance.now() - t0) / 1000)), unit: "events/s" });

      // Delay: a steady stream of small commits, each event's commit time against its arrival at the receiver.
      const committedAt = new Map<string, number>();
      const arrivals = new Map<string, number>();
      const startAt = receiver.received.length;
      let seq = 0;
      const end = Date.now() + STREAM_SECONDS * 1000;
      await Promise.all(Array.from({ length: STREAM_WRITERS }, async () => {
        while (Date.now() < end) {
          const tag = `s-${seq++}`;
          await pool.query(`SELECT tally_webhook_emit($1, 'extras.credited', jsonb_build_object('tag', $2::text))`, [ws.id, tag]);
          committedAt.set(tag, Date.now());
          await new Promise((r) => setTimeout(r, 20));
        }
      }));
      await until(() => receiver.received.length - startAt >= committedAt.size, 120_000);
      for (const r of receiver.received.slice(startAt)) arrivals.set(String(r.body.data.tag), r.at);
      const delays = [...committedAt].map(([tag, t]) => Math.max(0, arrivals.get(tag)! - t));
      report({ name: "webhooks.delay.p50", value: round(percentile(delays, 50)), unit: "ms" });
      report({ name: "webhooks.delay.p99", value: round(percentile(delays, 99)), unit: "ms" });
      report({ name: "webhooks.rejected", value: receiver.state.rejected, unit: "count" });
    } finally {
      api.close();
      await receiver.close();
      await db.$disconnect().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await server.stop();
    }
  },
};
