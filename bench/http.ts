// HTTP figures of the metering API against a production server (`npm start`, built into NEXT_DIST_DIR; with
// BENCH_VIA=next, Next's own `next start`, as a Vercel deployment serves the API), beside raw SQL baselines, so
// the cost of the framework, auth and the engine is visible as ratios.
import pg from "pg";
import { createApiKey } from "../lib/api-keys";
import { hashSecret } from "../lib/api-keys/secret";
import { createDb } from "../lib/db";
import { defaultPlans } from "../lib/billing/catalog";
import { publishPlan } from "../lib/billing/plans";
import { createWorkspace } from "../lib/workspaces/create-workspace";
import { createClient, type Reply } from "../tests/http/client";
import { startAppServer } from "../tests/http/server";
// The engine suite's baseline statement, measured here again against this suite's own database.
import { RAW_SQL } from "./engine";
import { load, loadFigures, merge, round, type BenchSuite, type Figure, type LoadResult } from "./suite";
import { seedWideWorkspaces } from "./wide";

const CONNECTIONS = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = 4;
const WORKSPACES = 100;
/** The realistic load: many workspaces, each with its own key, a few requests each. */
const WIDE_WORKSPACES = Number(process.env.BENCH_WIDE_WORKSPACES ?? 10_000);
const BATCH_EVENTS = 1000;
const BATCH_CONNECTIONS = 4;
const MAX_REQUESTS_PER_SLICE = 50_000;
const VIA = process.env.BENCH_VIA === "next" ? "next-start" : "npm-start";

// The check's baseline: what a check reads (the key's workspace, its window and its extras balance), as one
// statement through the pg driver, with none of the API's parsing, validation or answer.
const RAW_CHECK_SQL = `
  SELECT w.quota::text, w.used::text, a.balance::text FROM "ApiKey" k
  JOIN "UsageWindow" w ON w."workspaceId" = k."workspaceId" AND w.feature = $2 AND w."periodStart" <= $3 AND w."periodEnd" > $3
  LEFT JOIN "ExtrasAccount" a ON a."workspaceId" = k."workspaceId"
  WHERE k.hash = $1 AND k."revokedAt" IS NULL`;

const expectStatus = (status: number) => (r: Reply) => {
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text.slice(0, 300)}`);
  return r;
};

export const httpSuite: BenchSuite = {
  name: "http",
  description: `the metering API over HTTP (${VIA.replace("-", " ")}), ${CONNECTIONS} connections: usage hot, over ${WORKSPACES} and over ${WIDE_WORKSPACES} workspaces, check, batch, a trivial handler`,
  async run(report) {
    const server = await startAppServer({ databaseSuffix: "bench_http", poolMax: 20, log: "test-results/bench-http-server.log", via: VIA });
    const db = createDb(server.databaseUrl, 4);
    const pool = new pg.Pool({ connectionString: server.databaseUrl, max: 20 });
    const api = createClient(server.baseUrl, CONNECTIONS);
    try {
      const spec = {
        ...defaultPlans[0]!,
        key: "bench_http",
        entitlements: defaultPlans[0]!.entitlements.map((e) => (e.feature === "compute" ? { ...e, limit: "1000000000000", overflow: "block" as const } : e)),
      };
      const { plan } = await publishPlan(db, spec);
      const owner = await db.user.create({ data: { email: "bench-http@example.test" } });
      const workspaces: { id: string; key: string }[] = [];
      for (let i = 0; i <= WORKSPACES; i++) {
        const ws = await createWorkspace(db, { name: `Bench HTTP ${i}`, ownerId: owner.id });
        await db.subscription.update({ where: { workspaceId: ws.id }, data: { planId: plan.id, status: "active" } });
        workspaces.push({ id: ws.id, key: (await createApiKey(db, { workspaceId: ws.id, name: "bench" })).secret });
      }
      const hot = workspaces[WORKSPACES]!;
      const spread = workspaces.slice(0, WORKSPACES);

      let n = 0;
      let rr = 0;
      let ww = 0;
      let wide: { id: string; key: string }[] = [];
      const raw = (ws: () => { id: string }) => async () => {
        const r = await pool.query(RAW_SQL, [ws().id, "compute", "1", new Date(), crypto.randomUUID(), `r-${n++}`]);
        if (r.rowCount !== 1) throw new Error("raw baseline recorded nothing");
      };
      const usage = (ws: () => { key: string }) => () =>
        api.request("/api/v1/usage", { key: ws().key, body: { feature: "compute", units: 1, idempotencyKey: `h-${n++}` } }).then(expectStatus(200));
      const scenarios: Record<string, () => Promise<unknown>> = {
        "http.trivial": () => api.request("/api/v1/ping").then(expectStatus(200)),
        "http.usage.hot": usage(() => hot),
        "http.usage.spread": usage(() => spread[rr++ % WORKSPACES]!),
        "http.usage.wide": usage(() => wide[ww++ % wide.length]!),
        "http.check": () => api.request("/api/v1/check", { key: hot.key, body: { feature: "compute", units: 1 } }).then(expectStatus(200)),
        // The baselines: the raw SQL statement on this same database, interleaved with the HTTP scenarios, so
        // the machine's load and the tables' size at the time weigh on both sides of each ratio alike.
        "http.raw.hot": raw(() => hot),
        "http.raw.spread": raw(() => spread[rr++ % WORKSPACES]!),
        "http.raw.check": async () => {
          const r = await pool.query(RAW_CHECK_SQL, [hashSecret(hot.key), "compute", new Date()]);
          if (r.rowCount !== 1) throw new Error("raw check read nothing");
        },
      };
      const batchOp = () =>
        api
          .request("/api/v1/usage/batch", {
            key: spread[rr++ % WORKSPACES]!.key,
            body: { events: Array.from({ length: BATCH_EVENTS }, () => ({ feature: "compute", units: 1, idempotencyKey: `b-${n++}` })) },
          })
          .then(expectStatus(200))
          .then((r) => {
            if (r.json.accepted !== BATCH_EVENTS) throw new Error(`batch accepted ${r.json.accepted} of ${BATCH_EVENTS}`);
          });

      // Warm up: open every window, compile every route, fill the pools.
      await Promise.all(spread.concat(hot).map((ws, i) => api.request("/api/v1/usage", { key: ws.key, body: { feature: "compute", units: 1, idempotencyKey: `warm-${i}` } }).then(expectStatus(200))));
      const template = await db.usageWindow.findFirstOrThrow({ where: { workspaceId: hot.id, feature: "compute" }, select: { id: true } });
      wide = await seedWideWorkspaces(pool, { count: WIDE_WORKSPACES, planId: plan.id, template: template.id });
      for (const op of Object.values(scenarios)) await load({ concurrency: CONNECTIONS, durationMs: 700, op });
      await load({ concurrency: BATCH_CONNECTIONS, durationMs: 700, op: batchOp });

      const results: Record<string, LoadResult[]> = {};
      const names = Object.keys(scenarios);
      const slice = (SECONDS * 1000) / ROUNDS;
      for (let r = 0; r < ROUNDS; r++) {
        // Rotate the order each round so no scenario always runs first or last.
        for (const name of names.slice(r % names.length).concat(names.slice(0, r % names.length))) {
          (results[name] ??= []).push(await load({ concurrency: CONNECTIONS, durationMs: slice, maxRequests: MAX_REQUESTS_PER_SLICE, op: scenarios[name]! }));
        }
        (results["http.batch"] ??= []).push(await load({ concurrency: BATCH_CONNECTIONS, durationMs: slice, maxRequests: 500, op: batchOp }));
      }
      const merged = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, merge(v)]));
      for (const name of ["http.usage.hot", "http.usage.spread", "http.usage.wide", "http.check", "http.trivial", "http.raw.hot", "http.raw.spread", "http.raw.check"]) for (const f of loadFigures(name, merged[name]!)) report(f);
      const tput = (k: string) => merged[k]!.requests / merged[k]!.seconds;
      const batch = merged["http.batch"]!;
      report({ name: "http.batch.events", value: round((batch.requests * BATCH_EVENTS) / batch.seconds), unit: "events/s" });
      for (const f of loadFigures("http.batch", batch).slice(1)) report(f);

      const ratio = (name: string, value: number): Figure => ({ name, value: round(value, 3), unit: "x" });
      report(ratio("ratio.http.hot", tput("http.usage.hot") / tput("http.raw.hot")));
      report(ratio("ratio.http.spread", tput("http.usage.spread") / tput("http.raw.spread")));
      report(ratio("ratio.http.wide", tput("http.usage.wide") / tput("http.usage.spread")));
      report(ratio("ratio.check.trivial", tput("http.check") / tput("http.trivial")));
      report(ratio("ratio.check.raw", tput("http.check") / tput("http.raw.check")));
      const all = workspaces.map((w) => w.id).concat(wide.map((w) => w.id));
      const window = await db.usageWindow.aggregate({ where: { workspaceId: { in: all } }, _sum: { used: true } });
      const events = await db.usageEvent.count({ where: { workspaceId: { in: all } } });
      // Every accepted event counted once: the counters add up to the events stored.
      report({ name: "http.counter_mismatch", value: Number(window._sum.used ?? 0) - events, unit: "count" });
    } finally {
      api.close();
      await db.$disconnect().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await server.stop();
    }
  },
};
