import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../lib/generated/prisma/client";
import { defaultPlans } from "../lib/billing/catalog";
import { publishPlan, seedCatalog } from "../lib/billing/plans";
import { checkInvariants, recordUsage } from "../lib/billing";
import { createDb, pgPoolOf } from "../lib/db";
import { createWorkspace } from "../lib/workspaces/create-workspace";
import { benchDatabase } from "./database";
import { load, loadFigures, merge, round, type BenchSuite, type LoadResult } from "./suite";

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const POOL = Number(process.env.BENCH_POOL ?? 20);
/** Measured seconds per scenario, split into interleaved rounds so neighbours' load hits all scenarios alike. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = 4;
const WORKSPACES = 100;
const MAX_REQUESTS_PER_SLICE = 50_000;

// The baseline: the same conditional increment of the active window plus the event insert, as one
// statement through the pg driver, with none of the engine's validation, idempotency answers or thresholds.
export const RAW_SQL = `
  WITH w AS (
    UPDATE "UsageWindow" SET used = used + $3::numeric
    WHERE "workspaceId" = $1 AND feature = $2 AND "periodStart" <= $4 AND "periodEnd" > $4
      AND (quota IS NULL OR used + $3::numeric <= quota)
    RETURNING id
  )
  INSERT INTO "UsageEvent" (id, "workspaceId", feature, "windowId", units, "quotaUnits", "extrasUnits", "idempotencyKey", "requestHash", response, "createdAt")
  SELECT $5, $1, $2, w.id, $3::numeric, $3::numeric, 0, $6, 'raw', '{}'::jsonb, $4 FROM w`;

export const engineSuite: BenchSuite = {
  name: "engine",
  description: `recordUsage vs a raw SQL baseline, ${CONCURRENCY} concurrent callers, one hot workspace and ${WORKSPACES} workspaces`,
  async run(report) {
    const database = await benchDatabase();
    // Each side gets a pool of the same size. The engine's client runs on its pool and shares it with the
    // billing hot path, as the app's client does (createDb); "engine.prisma" is the same engine on a
    // client without an attached pool, every statement through Prisma's pipeline.
    // PGlite serves all connections from one single-user backend, one at a time, so there every side talks
    // to it through one connection.
    const poolSize = database.kind === "pglite" ? 1 : POOL;
    const pools = Array.from({ length: 2 }, () => new pg.Pool({ connectionString: database.url, max: poolSize, connectionTimeoutMillis: 60_000 }));
    for (const p of pools) p.on("error", () => undefined);
    const [prismaOnlyPool, pool] = pools as [pg.Pool, pg.Pool];
    const db = createDb(database.url, poolSize, { connectMs: 60_000, statementMs: 60_000 });
    const prismaOnly = new PrismaClient({ adapter: new PrismaPg(prismaOnlyPool) });
    try {
      report({ name: "engine.database", value: database.kind === "postgresql" ? 1 : 0, unit: database.kind });
      report({ name: "engine.pool", value: poolSize, unit: "connections" });
      await seedCatalog(db);
      // A quota far above what a run records, so every recording takes the conditional path and is accepted.
      const spec = {
        ...defaultPlans[0]!,
        key: "bench",
        entitlements: defaultPlans[0]!.entitlements.map((e) => (e.feature === "compute" ? { ...e, limit: "1000000000000", overflow: "block" as const } : e)),
      };
      const { plan } = await publishPlan(db, spec);
      const owner = await db.user.create({ data: { email: "bench@example.test" } });
      const workspaces: string[] = [];
      for (let i = 0; i <= WORKSPACES; i++) {
        const ws = await createWorkspace(db, { name: `Bench ${i}`, ownerId: owner.id });
        await db.subscription.update({ where: { workspaceId: ws.id }, data: { planId: plan.id, status: "active" } });
        workspaces.push(ws.id);
      }
      const hot = workspaces[WORKSPACES]!;
      const spread = workspaces.slice(0, WORKSPACES);

      let n = 0;
      const engineOp = (ws: () => string, client = db) => () =>
        recordUsage(client, { workspaceId: ws(), feature: "compute", units: 1, idempotencyKey: `e-${n++}` });
      const rawOp = (ws: () => string) => async () => {
        const k = `r-${n++}`;
        const r = await pool.query(RAW_SQL, [ws(), "compute", "1", new Date(), crypto.randomUUID(), k]);
        if (r.rowCount !== 1) throw new Error("raw baseline recorded nothing");
      };
      let rr = 0;
      const scenarios = {
        "engine.hot": engineOp(() => hot),
        "raw.hot": rawOp(() => hot),
        "engine.spread": engineOp(() => spread[rr++ % WORKSPACES]!),
        "raw.spread": rawOp(() => spread[rr++ % WORKSPACES]!),
        "engine.prisma.hot": engineOp(() => hot, prismaOnly),
        "engine.prisma.spread": engineOp(() => spread[rr++ % WORKSPACES]!, prismaOnly),
      };

      // Warm up: open every window, fill both pools, let the JIT settle.
      await Promise.all(workspaces.map((ws) => recordUsage(db, { workspaceId: ws, feature: "compute", units: 1, idempotencyKey: `warm-${ws}` })));
      for (const op of Object.values(scenarios)) await load({ concurrency: CONCURRENCY, durationMs: 700, op });

      const results: Record<string, LoadResult[]> = {};
      const slice = (SECONDS * 1000) / ROUNDS;
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate the order each round so neither side always runs first.
        const order =
          round % 2 === 0
            ? ["raw.hot", "engine.hot", "engine.prisma.hot", "engine.prisma.spread", "engine.spread", "raw.spread"]
            : ["engine.prisma.hot", "engine.hot", "raw.hot", "raw.spread", "engine.spread", "engine.prisma.spread"];
        for (const name of order) {
          const r = await load({ concurrency: CONCURRENCY, durationMs: slice, maxRequests: MAX_REQUESTS_PER_SLICE, op: scenarios[name as keyof typeof scenarios] });
          (results[name] ??= []).push(r);
        }
      }
      const merged = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, merge(v)]));
      for (const name of ["engine.hot", "raw.hot", "engine.spread", "raw.spread", "engine.prisma.hot", "engine.prisma.spread"]) {
        for (const f of loadFigures(name, merged[name]!)) report(f);
      }
      const tput = (k: string) => merged[k]!.requests / merged[k]!.seconds;
      report({ name: "ratio.engine.hot", value: round(tput("engine.hot") / tput("raw.hot"), 3), unit: "x" });
      report({ name: "ratio.engine.spread", value: round(tput("engine.spread") / tput("raw.spread"), 3), unit: "x" });
      report({ name: "ratio.engine.prisma.hot", value: round(tput("engine.prisma.hot") / tput("raw.hot"), 3), unit: "x" });
      report({ name: "ratio.engine.prisma.spread", value: round(tput("engine.prisma.spread") / tput("raw.spread"), 3), unit: "x" });
      report({ name: "engine.invariant_violations", value: (await checkInvariants(db)).length, unit: "count" });
    } finally {
      await db.$disconnect().catch(() => undefined);
      await pgPoolOf(db)?.end().catch(() => undefined);
      await prismaOnly.$disconnect().catch(() => undefined);
      for (const p of pools) await p.end().catch(() => undefined);
      await database.drop();
    }
  },
};
