// Overload: CHAOS_CLIENTS (200) concurrent clients on POST /api/v1/usage for CHAOS_OVERLOAD_SECONDS (60)
// against one production instance on its own database, then the latency of a lone client until it is
// back at its baseline. Prints `<name> <value> <unit>` lines and exits non-zero when a target is missed:
// under 0.1% errors, no pool timeout, latency at baseline within 10 s of the load stopping.
// Traffic goes to 127.0.0.1 only, and every loop is bounded by the duration.
import "./env";
import fs from "node:fs";
import path from "node:path";
import { createDb } from "../../lib/db";
import { startAppServer } from "../http/server";
import { createClient } from "../http/client";
import { CHAOS_PORTS } from "./env";
import { seedWorkspace } from "./helpers-db";

const SECONDS = Number(process.env.CHAOS_OVERLOAD_SECONDS ?? 60);
const CLIENTS = Number(process.env.CHAOS_CLIENTS ?? 200);
const WORKSPACES = 50;
const RECOVERY_LIMIT_MS = 10_000;
const LOG = "test-results/chaos-overload.log";

const figures: [string, number, string][] = [];
const figure = (name: string, value: number, unit: string) => {
  figures.push([name, value, unit]);
  console.log(`${name} ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const server = await startAppServer({ databaseSuffix: "overload", portRange: CHAOS_PORTS, log: LOG, env: { STRIPE_API_BASE: "http://127.0.0.1:9" } });
  const db = createDb(server.databaseUrl, 4);
  const failures: string[] = [];
  try {
    const workspaces: Awaited<ReturnType<typeof seedWorkspace>>[] = [];
    for (let i = 0; i < WORKSPACES; i++) workspaces.push(await seedWorkspace(db, { compute: { limit: null }, label: "load" }));
    const api = createClient(server.baseUrl, CLIENTS + 4);
    let seq = 0;
    let ok = 0;
    const one = async (w: (typeof workspaces)[number]) => {
      const started = performance.now();
      const r = await api
        .request("/api/v1/usage", { key: w.key, body: { feature: "compute", units: 1, idempotencyKey: `load-${seq++}` } })
        .catch((e: Error) => ({ status: 0, text: e.message }));
      if (r.status === 200) ok++;
      return { ms: performance.now() - started, status: r.status, text: r.text };
    };
    // A lone client's latency: the baseline before the load and the yardstick after it.
    const probe = async (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await one(workspaces[i % WORKSPACES]!)).ms);
      return out;
    };
    await probe(50); // warm-up: compiled routes, prepared statements, pool filled
    const baseline = pct(await probe(100), 50);
    figure("overload.baseline_p50", baseline, "ms");

    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const samples: string[] = [];
    const endAt = Date.now() + SECONDS * 1000;
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const w = workspaces[c % WORKSPACES]!;
        while (Date.now() < endAt) {
          const r = await one(w);
          latencies.push(r.ms);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status !== 200 && samples.length < 5) samples.push(`${r.status} ${r.text.slice(0, 200)}`);
        }
      }),
    );
    const loadSeconds = (performance.now() - startedAt) / 1000;
    const stoppedAt = performance.now();

    // After the load: a lone client again, until a window of 20 requests has its p50 back at baseline.
    const tolerance = Math.max(baseline * 1.5, baseline + 3);
    const window: number[] = [];
    let recoveryMs = NaN;
    while (performance.now() - stoppedAt < RECOVERY_LIMIT_MS * 2) {
      window.push((await one(workspaces[window.length % WORKSPACES]!)).ms);
      if (window.length > 20) window.shift();
      if (window.length === 20 && pct(window, 50) <= tolerance) {
        recoveryMs = performance.now() - stoppedAt;
        break;
      }
    }
    api.close();

    const total = latencies.length;
    const errors = total - (statuses.get(200) ?? 0);
    const log = fs.readFileSync(path.resolve(import.meta.dirname, "../..", LOG), "utf8");
    const poolTimeouts = (log.match(/timeout exceeded when trying to connect|P2024|Timed out fetching a new connection|billing_unavailable|database unavailable/g) ?? []).length;
    const counted = await db.usageWindow.aggregate({ where: { workspaceId: { in: workspaces.map((w) => w.workspaceId) } }, _sum: { used: true } });
    figure("overload.clients", CLIENTS, "clients");
    figure("overload.duration", loadSeconds, "s");
    figure("overload.requests", total, "requests");
    figure("overload.throughput", total / loadSeconds, "req/s");
    figure("overload.p50", pct(latencies, 50), "ms");
    figure("overload.p99", pct(latencies, 99), "ms");
    figure("overload.max", pct(latencies, 100), "ms");
    figure("overload.errors", errors, "requests");
    figure("overload.error_rate", total ? (errors / total) * 100 : 100, "%");
    figure("overload.pool_timeouts", poolTimeouts, "errors");
    figure("overload.recovered_p50", window.length ? pct(window, 50) : NaN, "ms");
    figure("overload.recovery", Number.isNaN(recoveryMs) ? -1 : recoveryMs, "ms");
    // Every 200 (warm-up, baseline, load and recovery probe) was one unit: under load nothing is lost or doubled.
    figure("overload.accepted_units", ok, "units");
    figure("overload.counted_units", Number(counted._sum.used ?? 0), "units");

    if (total === 0) failures.push("no request completed");
    if (errors / total >= 0.001) failures.push(`error rate ${((errors / total) * 100).toFixed(3)}% >= 0.1% (${[...statuses].map(([s, n]) => `${s}: ${n}`).join(", ")}; ${samples.join(" | ")})`);
    if (poolTimeouts > 0) failures.push(`${poolTimeouts} pool timeout or unavailable errors in ${LOG}`);
    if (Number.isNaN(recoveryMs) || recoveryMs > RECOVERY_LIMIT_MS) failures.push(`latency not back to baseline (${baseline.toFixed(1)} ms, tolerance ${tolerance.toFixed(1)} ms) within ${RECOVERY_LIMIT_MS} ms`);
    if (Number(counted._sum.used ?? 0) !== ok) failures.push(`counted ${counted._sum.used} units, accepted ${ok}`);
  } finally {
    await db.$disconnect();
    await server.stop();
  }
  for (const f of failures) console.log(`overload: FAIL ${f}`);
  console.log(failures.length ? "overload: failed" : "overload: ok");
  process.exitCode = failures.length ? 1 : 0;
  await sleep(0);
}

await main();
