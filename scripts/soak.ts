// `npm run soak`: SOAK_EVENTS (100,000) usage events in seeded random mixes (single requests, batches,
// replays, conflicting keys, checks, topups) from 50 workspaces to TWO production instances (`npm start`)
// on one PostgreSQL cluster of the soak's own, with faults on the way: the database restarted, then an
// instance killed with SIGKILL and started again. Afterwards the books are compared with every answer
// given (tests/soak/compare.ts) and checkInvariants runs on the soak's database. Prints `<name> <value>
// <unit>` figures with `soak.differences` and `soak.violations`, and exits non-zero on any difference,
// violation or unexpected reply. SOAK_SEED fixes what each lane sends (their interleaving is the machine's);
// servers listen on 127.0.0.1:3600-3699.
import "../tests/soak/env";
import { createDb, pgPoolOf } from "../lib/db";
import { checkInvariants, seedCatalog } from "../lib/billing";
import { ensureBuild, pickPort } from "../tests/http/server";
import { Book } from "../tests/soak/book";
import { compareWithDatabase } from "../tests/soak/compare";
import { SOAK_PORTS } from "../tests/soak/env";
import { appInstance, type Instance } from "../tests/soak/instance";
import { rng } from "../tests/soak/prng";
import { applyTopup, drawTopup, seedWorkspaces } from "../tests/soak/seed";
import { runTraffic } from "../tests/soak/traffic";
import { migrateDeploy } from "./lib/migrate";
import { startOwnCluster } from "./lib/pg-cluster";

const EVENTS = Number(process.env.SOAK_EVENTS ?? 100_000);
const SEED = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WORKSPACES = Number(process.env.SOAK_WORKSPACES ?? 50);
const LANES = Number(process.env.SOAK_LANES ?? 8);
/** The traffic stops starting new work after this long, whatever it has sent. */
const MAX_SECONDS = Number(process.env.SOAK_MAX_SECONDS ?? 270);
const OUTAGE_MS = 3_000;
const KILLED_MS = 1_000;
/** After a fault ends, 503s and cut connections are still expected this long (pools reconnecting). */
const GRACE_MS = 15_000;

const figure = (name: string, value: number, unit: string) => console.log(`${name} ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  if (!Number.isInteger(EVENTS) || EVENTS < 1 || !Number.isInteger(SEED)) throw new Error("SOAK_EVENTS and SOAK_SEED must be integers");
  const startedAt = Date.now();
  figure("soak.seed", SEED, "seed");
  ensureBuild(process.env.NEXT_DIST_DIR || ".next");
  const r = rng(SEED);
  const runId = `s${SEED}`;

  const cluster = await startOwnCluster();
  const instances: Instance[] = [];
  const db = createDb(cluster.url, 4);
  // Interrupted (Ctrl-C, a CI timeout): leave no server or database cluster running behind.
  // A signal often comes twice (to the process group and relayed by tsx): the second must not cut the first short.
  let interrupted = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      for (const i of instances) i.killNow();
      cluster.destroy();
      process.exit(130);
    });
  }
  try {
    await migrateDeploy(cluster.url);
    await seedCatalog(db);
    // Stripe is not involved: a closed port makes sure nothing reaches a real one.
    const env = { STRIPE_API_BASE: "http://127.0.0.1:9" };
    for (const name of ["a", "b"]) {
      const port = await pickPort(SOAK_PORTS);
      const instance = appInstance({ name, port, databaseUrl: cluster.url, log: `test-results/soak-${name}.log`, env });
      await instance.start();
      instances.push(instance);
    }
    const workspaces = await seedWorkspaces(db, WORKSPACES, runId);
    const book = new Book(workspaces.length);
    for (const ws of workspaces) {
      // Most workspaces hold several packs; every fifth holds none, so its extras features run out.
      const packs = ws.index % 5 === 0 ? 0 : r.int(1, 3);
      for (let i = 0; i < packs; i++) {
        const t = drawTopup(r, ws.index, `pi_${runId}_${ws.index}_${book.topups.length}`);
        await applyTopup(db, ws, t);
        book.topups.push({ workspace: ws.index, paymentIntentId: t.paymentIntentId, units: t.units, done: true });
      }
    }
    figure("soak.workspaces", workspaces.length, "workspaces");
    figure("soak.setup", (Date.now() - startedAt) / 1000, "s");

    // Faults, at a quarter and at a half of the events: the database restarted, instance b killed and restarted.
    const windows: { from: number; to: number }[] = [];
    const faults = { expected: () => windows.some((w) => Date.now() >= w.from && Date.now() <= w.to + GRACE_MS) };
    const fault = async (run: () => Promise<void>) => {
      const w = { from: Date.now(), to: Infinity };
      windows.push(w);
      await run();
      w.to = Date.now();
      return w.to - w.from;
    };
    let trafficDone = false;
    const progress = (share: number) => async () => {
      while (!trafficDone && book.counts.events < EVENTS * share) await sleep(50);
    };
    const faultsDone = (async () => {
      await progress(0.25)();
      figure("soak.fault.database_restart", await fault(async () => {
        cluster.stop();
        await sleep(OUTAGE_MS);
        await cluster.start();
      }), "ms");
      await progress(0.5)();
      figure("soak.fault.instance_killed", await fault(async () => {
        await instances[1]!.kill();
        await sleep(KILLED_MS);
        await instances[1]!.start();
      }), "ms");
    })();

    const trafficStart = Date.now();
    await runTraffic({ book, workspaces, instances, db, rng: r.fork(), runId, events: EVENTS, lanes: LANES, deadline: trafficStart + MAX_SECONDS * 1000, faults }).finally(() => {
      trafficDone = true;
    });
    const seconds = (Date.now() - trafficStart) / 1000;
    await faultsDone;
    if (book.counts.events < EVENTS) book.unexpectedReply(`sent ${book.counts.events} of ${EVENTS} events within ${MAX_SECONDS} s`);

    const compareStart = Date.now();
    const seen = await compareWithDatabase(db, book, workspaces, instances);
    const violations = await checkInvariants(db);

    const c = book.counts;
    figure("soak.events", c.events, "events");
    figure("soak.accepted", seen.accepted, "events");
    figure("soak.refused", seen.refused, "events");
    figure("soak.extras_paid", seen.extrasPaid, "events");
    figure("soak.windows", seen.windows, "windows");
    figure("soak.retried", c.retried, "events");
    figure("soak.unavailable", c.unavailable, "replies");
    figure("soak.connection_errors", c.connectionErrors, "requests");
    figure("soak.replays", c.replays, "events");
    figure("soak.final_replays", c.finalReplays, "events");
    figure("soak.conflicts", c.conflicts, "events");
    figure("soak.checks", c.checks, "requests");
    figure("soak.topups", c.topups, "topups");
    figure("soak.requests", c.requests, "requests");
    figure("soak.duration", seconds, "s");
    figure("soak.throughput", c.events / seconds, "events/s");
    figure("soak.compare_duration", (Date.now() - compareStart) / 1000, "s");
    for (const d of book.differences.slice(0, 20)) console.log(`soak: difference: ${d}`);
    for (const u of book.unexpected.slice(0, 20)) console.log(`soak: unexpected: ${u}`);
    if (book.unexpected.length) {
      for (const w of windows) console.log(`soak: fault from ${new Date(w.from).toISOString()} to ${new Date(w.to).toISOString()} (+${GRACE_MS} ms grace)`);
      for (const i of instances) for (const e of i.logged(/\[api\] unexpected error/).slice(0, 3)) console.log(`soak: server ${i.name}: ${e}`);
    }
    for (const v of violations.slice(0, 20)) console.log(`soak: violation: ${JSON.stringify(v)}`);
    figure("soak.unexpected", book.unexpected.length, "replies");
    figure("soak.differences", book.differences.length, "differences");
    figure("soak.violations", violations.length, "violations");
    figure("soak.total_duration", (Date.now() - startedAt) / 1000, "s");
    const ok = book.differences.length === 0 && violations.length === 0 && book.unexpected.length === 0;
    console.log(ok ? "soak: ok" : `soak: FAILED (seed ${SEED}; SOAK_SEED=${SEED} replays this traffic)`);
    return ok ? 0 : 1;
  } finally {
    await db.$disconnect();
    await pgPoolOf(db)?.end();
    for (const i of instances) await i.stop();
    cluster.destroy();
  }
}

process.exitCode = await main().catch((e) => {
  console.error("soak: failed to run:", e);
  return 1;
});
