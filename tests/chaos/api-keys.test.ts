// Item: API keys are stored only as hashes, a revoked key fails on its next call, and bad keys from one
// client are slowed with 429 by a limiter whose count every instance shares (a good key is never slowed).
import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { revokeApiKey } from "@/lib/api-keys";
import { FAILURE_LIMIT, FAILURE_WINDOW_SECONDS } from "@/lib/api-keys/authenticate";
import { chaosDb, clientIp, closeDb, createClient, instanceA, instanceB, seedWorkspace, statusCounts } from "./helpers";

const a = createClient(instanceA(), 16);
const b = createClient(instanceB(), 16);
afterAll(async () => {
  a.close();
  b.close();
  await closeDb();
});

const usage = (key: string, ip: string, i: number | string) => ({
  key,
  body: { feature: "compute", units: 1, idempotencyKey: `key-${i}-${crypto.randomUUID()}` },
  headers: { "x-forwarded-for": ip },
});

/** The limiter counts per minute; a burst that straddles a minute boundary would start a fresh count midway. */
async function awayFromWindowEdge() {
  const window = FAILURE_WINDOW_SECONDS * 1000;
  const left = window - (Date.now() % window);
  if (left < 15_000) await new Promise((r) => setTimeout(r, left + 200));
}

describe("API keys", () => {
  it("stores only the key's hash: no table holds the secret or its random part", async () => {
    const db = chaosDb();
    const ws = await seedWorkspace(db, { compute: { limit: null } });
    expect((await a.request("/api/v1/usage", usage(ws.key, clientIp(), "hash"))).status).toBe(200);
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: ws.keyId } });
    expect(row.hash).toBe(createHash("sha256").update(ws.key).digest("hex"));
    expect(ws.key.startsWith(row.prefix)).toBe(true);
    const randomPart = ws.key.slice(row.prefix.length + 1);
    expect(randomPart).toHaveLength(43);
    // Every row of every table, as text.
    const tables = await db.$queryRaw<{ name: string }[]>`SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'public'`;
    expect(tables.map((t) => t.name)).toContain("ApiKey");
    for (const { name } of tables) {
      const hits = await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "${name}" t WHERE t::text LIKE '%' || $1 || '%'`, randomPart);
      expect({ table: name, hits: Number(hits[0]!.n) }).toEqual({ table: name, hits: 0 });
    }
  });

  it("refuses a revoked key on its very next call, on either instance", async () => {
    const db = chaosDb();
    const ws = await seedWorkspace(db, { compute: { limit: null } });
    const ip = clientIp();
    expect((await a.request("/api/v1/usage", usage(ws.key, ip, "before-a"))).status).toBe(200);
    expect((await b.request("/api/v1/usage", usage(ws.key, ip, "before-b"))).status).toBe(200);
    await revokeApiKey(db, { workspaceId: ws.workspaceId, keyId: ws.keyId });
    const [onA, onB] = await Promise.all([a.request("/api/v1/usage", usage(ws.key, ip, "after-a")), b.request("/api/v1/check", { ...usage(ws.key, ip, "after-b"), body: { feature: "compute", units: 1 } })]);
    expect([onA.status, onB.status]).toEqual([401, 401]);
    expect(onA.json.error.code).toBe("unauthorized");
    expect(await db.usageEvent.count({ where: { workspaceId: ws.workspaceId } })).toBe(2);
  });

  it("slows repeated bad keys from one client with 429 and Retry-After, counting across both instances", async () => {
    const db = chaosDb();
    const ws = await seedWorkspace(db, { compute: { limit: null } });
    const ip = clientIp();
    const bad = `tk_live_00000000_${"x".repeat(43)}`;
    await awayFromWindowEdge();
    // FAILURE_LIMIT bad attempts, half on each instance: every one is a plain 401.
    const first = await Promise.all(Array.from({ length: FAILURE_LIMIT }, (_, i) => (i % 2 ? a : b).request("/api/v1/usage", usage(bad, ip, i))));
    expect(statusCounts(first)).toEqual({ 401: FAILURE_LIMIT });
    // Each instance alone has seen only half the limit; a per-process count would still answer 401 here.
    const next = await Promise.all([a.request("/api/v1/usage", usage(bad, ip, "a")), b.request("/api/v1/usage", usage(bad, ip, "b"))]);
    expect(next.map((r) => r.status)).toEqual([429, 429]);
    for (const r of next) {
      expect(r.json.error.code).toBe("rate_limited");
      const retryAfter = Number(r.headers["retry-after"]);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(FAILURE_WINDOW_SECONDS);
    }
    // While limited, its bad keys are refused and nothing is recorded...
    expect((await b.request("/api/v1/usage", usage(bad, ip, "again"))).status).toBe(429);
    expect(await db.usageEvent.count({ where: { workspaceId: ws.workspaceId } })).toBe(0);
    // ...but a good key is never refused for failures counted against its address, nor is another client.
    expect((await b.request("/api/v1/usage", usage(ws.key, ip, "good"))).status).toBe(200);
    expect((await a.request("/api/v1/usage", usage(ws.key, clientIp(), "other"))).status).toBe(200);
    // The shared count lives in the database, as the two instances' evidence.
    const rows = await db.authFailure.findMany({ where: { clientKey: `api:${ip}` } });
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(FAILURE_LIMIT);
  });
});
