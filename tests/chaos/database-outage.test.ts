// Item: PostgreSQL stops for a few seconds under 20 concurrent callers. The app answers 503 with
// Retry-After quickly, never 200, recovers by itself when the database returns, and retries with the
// same idempotency keys make accepted units equal counted units.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { startOwnCluster, type OwnCluster } from "../../scripts/lib/pg-cluster";
import { startAppServer, type AppServer } from "../http/server";
import { CHAOS_PORTS } from "./env";
import { createClient, seedWorkspace, written } from "./helpers";
import type { Reply } from "../http/client";

const CALLERS = 20;
const OUTAGE_MS = 4_000;

let cluster: OwnCluster;
let app: AppServer;
let db: PrismaClient;
beforeAll(async () => {
  cluster = await startOwnCluster();
  // Stripe is not involved here; a closed port makes sure nothing reaches a real one.
  app = await startAppServer({ databaseSuffix: "outage", databaseUrl: cluster.url, portRange: CHAOS_PORTS, log: "test-results/chaos-outage.log", env: { STRIPE_API_BASE: "http://127.0.0.1:9" } });
  db = createDb(cluster.url, 4);
});
afterAll(async () => {
  await db?.$disconnect();
  await app?.stop();
  cluster?.destroy();
});

interface Sent { key: string; sentAt: number; doneAt: number; status: number; retryAfter?: string; code?: string }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("database outage", () => {
  it("answers 503 with Retry-After while PostgreSQL is down, recovers without a restart, and loses no unit", async () => {
    const ws = await seedWorkspace(db, { compute: { limit: null } });
    const api = createClient(app.baseUrl, CALLERS);
    const log: Sent[] = [];
    let running = true;
    let n = 0;
    const caller = async (c: number) => {
      while (running) {
        const key = `outage-${c}-${n++}`;
        const sentAt = Date.now();
        const r = await api.request("/api/v1/usage", { key: ws.key, body: { feature: "compute", units: 1, idempotencyKey: key } }).catch((): Reply => ({ status: 0, headers: {}, text: "", json: undefined }));
        log.push({ key, sentAt, doneAt: Date.now(), status: r.status, retryAfter: r.headers["retry-after"] as string | undefined, code: r.json?.error?.code });
        if (r.status !== 200) await sleep(100);
      }
    };
    const callers = Array.from({ length: CALLERS }, (_, c) => caller(c));

    // Warm up until every caller has been served (a cold server on a busy machine can take seconds), at most 20 s.
    const warmUntil = Date.now() + 20_000;
    while (Date.now() < warmUntil && log.filter((s) => s.status === 200).length < CALLERS) await sleep(100);
    await sleep(300);
    cluster.stop();
    const downAt = Date.now();
    await sleep(OUTAGE_MS);
    const restartAt = Date.now();
    await cluster.start();
    const upAt = Date.now();
    // Keep calling until the app has answered 200 again for a while, or give up after 15 s.
    while (Date.now() - upAt < 15_000 && !log.some((s) => s.sentAt >= upAt && s.status === 200 && Date.now() - s.doneAt > 1_000)) await sleep(100);
    running = false;
    await Promise.all(callers);

    const before = log.filter((s) => s.sentAt < downAt - 200 && s.doneAt < downAt);
    const during = log.filter((s) => s.sentAt >= downAt && s.doneAt < restartAt);
    const after = log.filter((s) => s.sentAt >= upAt);
    expect(before.filter((s) => s.status === 200).length).toBeGreaterThan(0);
    expect(during.length).toBeGreaterThan(CALLERS);
    // During the outage: never 200, always 503 billing_unavailable with Retry-After, each within 2 s.
    expect(during.filter((s) => s.status === 200)).toEqual([]);
    expect(during.filter((s) => s.status !== 503 || s.code !== "billing_unavailable" || !s.retryAfter)).toEqual([]);
    const slowest = Math.max(...during.map((s) => s.doneAt - s.sentAt));
    expect(slowest).toBeLessThan(2_000);
    const first503 = Math.min(...log.filter((s) => s.status === 503).map((s) => s.doneAt)) - downAt;
    expect(first503).toBeLessThan(2_000);
    // After: the same server (no restart) answers 200 within 5 s of the database returning.
    const firstOk = after.find((s) => s.status === 200);
    expect(firstOk).toBeDefined();
    const recoveryMs = firstOk!.doneAt - upAt;
    expect(recoveryMs).toBeLessThan(5_000);
    console.log(`outage.slowest_refusal ${slowest} ms\noutage.first_503_after_stop ${first503} ms\noutage.first_200_after_start ${recoveryMs} ms\noutage.refused ${log.filter((s) => s.status !== 200).length} requests`);

    // Retry every refused request with its idempotency key, as a client told Retry-After would.
    const failed = log.filter((s) => s.status !== 200).map((s) => s.key);
    expect(failed.length).toBeGreaterThan(0);
    const retried = await Promise.all(failed.map((key) => api.request("/api/v1/usage", { key: ws.key, body: { feature: "compute", units: 1, idempotencyKey: key } })));
    expect(retried.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);
    api.close();

    // Every key is accepted exactly once, and the counter holds exactly those units.
    const keys = new Set(log.map((s) => s.key));
    expect(await written(db, ws.workspaceId)).toEqual({ events: keys.size, used: String(keys.size) });
  });
});
