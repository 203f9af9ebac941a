import { afterAll, describe, expect, it } from "vitest";
import { revokeApiKey } from "@/lib/api-keys";
import { api, closeAll, seedWorkspace, testDb, uid, written } from "./helpers";

afterAll(closeAll);

const usage = (key: string, body: unknown, headers?: Record<string, string>) => api.request("/api/v1/usage", { key, body, headers });

describe("POST /api/v1/usage", () => {
  it("1,000 concurrent requests of 1 unit against a quota of 100: exactly 100 x 200 and 900 x 402, counter 100", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    const run = uid();
    const replies = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => usage(key, { feature: "compute", units: 1 }, { "idempotency-key": `${run}-${i}` })),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 402)).toHaveLength(900);
    for (const r of replies.filter((x) => x.status === 402)) {
      expect(r.json.error.code).toBe("quota_exhausted");
      expect(r.headers["x-quota-remaining"]).toBe("0");
    }
    // Every accepted answer saw its own remaining: 99 down to 0, each exactly once.
    const remaining = replies.filter((r) => r.status === 200).map((r) => r.json.remaining as number);
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const window = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" } });
    expect(window.used.toFixed()).toBe("100");
    expect(await written(workspaceId)).toEqual({ events: 100, used: "100" });
  });

  it("answers the documented shape with X-Quota-Remaining", async () => {
    const { key } = await seedWorkspace({ compute: { limit: "10", overflow: "block" } });
    const r = await usage(key, { feature: "compute", units: "2.5", idempotencyKey: uid(), metadata: { run: "r1" } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ allowed: true, feature: "compute", units: 2.5, remaining: 7.5, extrasRemaining: 0, resetsAt: expect.any(String) });
    expect(Object.keys(r.json)).toEqual(["allowed", "feature", "units", "remaining", "extrasRemaining", "resetsAt"]);
    expect(r.headers["x-quota-remaining"]).toBe("7.5");
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
    expect(r.headers["cache-control"]).toBe("no-store");
    // Sent whole with its length, not chunked.
    expect(r.headers["content-length"]).toBe(String(Buffer.byteLength(r.text)));
    expect(r.headers["transfer-encoding"]).toBeUndefined();
    expect(new Date(r.json.resetsAt).getTime()).toBeGreaterThan(Date.now());
  });

  it("replays the same Idempotency-Key with the same body, recording once; another payload under it is 409", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    const k = `replay-${uid()}`;
    const first = await usage(key, { feature: "compute", units: 3 }, { "idempotency-key": k });
    const again = await usage(key, { feature: "compute", units: 3 }, { "idempotency-key": k });
    const inBody = await usage(key, { feature: "compute", units: 3, idempotencyKey: k });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(inBody.text).toBe(first.text);
    expect(await written(workspaceId)).toEqual({ events: 1, used: "3" });

    const other = await usage(key, { feature: "compute", units: 4 }, { "idempotency-key": k });
    expect(other.status).toBe(409);
    expect(other.json.error).toMatchObject({ code: "idempotency_conflict", message: expect.any(String) });
    expect(await written(workspaceId)).toEqual({ events: 1, used: "3" });
  });

  it("concurrent replays of one key record it once and all answer the same body", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    const k = `burst-${uid()}`;
    const replies = await Promise.all(Array.from({ length: 50 }, () => usage(key, { feature: "compute", units: 2 }, { "idempotency-key": k })));
    expect(new Set(replies.map((r) => `${r.status} ${r.text}`)).size).toBe(1);
    expect(replies[0]!.status).toBe(200);
    expect(await written(workspaceId)).toEqual({ events: 1, used: "2" });
  });

  it("refuses a header and a body key that differ, and a request with neither", async () => {
    const { workspaceId, key } = await seedWorkspace();
    const both = await usage(key, { feature: "compute", units: 1, idempotencyKey: "a" }, { "idempotency-key": "b" });
    const none = await usage(key, { feature: "compute", units: 1 });
    expect([both.status, none.status]).toEqual([400, 400]);
    expect(none.json.error.code).toBe("invalid_request");
    expect(await written(workspaceId)).toEqual({ events: 0, used: "0" });
  });

  it("a revoked key gets 401 on the very next call", async () => {
    const { workspaceId, key, keyId } = await seedWorkspace();
    expect((await usage(key, { feature: "compute", units: 1, idempotencyKey: uid() })).status).toBe(200);
    await revokeApiKey(testDb(), { workspaceId, keyId });
    const after = await usage(key, { feature: "compute", units: 1, idempotencyKey: uid() }, { "x-forwarded-for": "10.9.9.9" });
    expect(after.status).toBe(401);
    expect(after.json).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    expect((await api.request("/api/v1/limitations", { key, headers: { "x-forwarded-for": "10.9.9.9" } })).status).toBe(401);
    expect(await written(workspaceId)).toEqual({ events: 1, used: "1" });
  });

  it("workspace A's key reads and writes only workspace A", async () => {
    const a = await seedWorkspace({ compute: { limit: "50", overflow: "block" } });
    const b = await seedWorkspace({ compute: { limit: "50", overflow: "block" } });
    expect((await usage(a.key, { feature: "compute", units: 5, idempotencyKey: uid() })).status).toBe(200);
    // Naming B in the body is an unknown field, refused; the key alone decides the workspace.
    const named = await usage(a.key, { feature: "compute", units: 5, idempotencyKey: uid(), workspaceId: b.workspaceId });
    expect(named.status).toBe(400);
    const limitsA = await api.request("/api/v1/limitations", { key: a.key });
    expect(limitsA.json.workspaceId).toBe(a.workspaceId);
    expect(limitsA.json.entitlements.find((e: { feature: string }) => e.feature === "compute").used).toBe(5);
    const limitsB = await api.request("/api/v1/limitations", { key: b.key });
    expect(limitsB.json.workspaceId).toBe(b.workspaceId);
    expect(limitsB.json.entitlements.find((e: { feature: string }) => e.feature === "compute").used).toBe(0);
    // The same idempotency key in two workspaces is two different events.
    const shared = `shared-${uid()}`;
    expect((await usage(b.key, { feature: "compute", units: 7, idempotencyKey: shared })).status).toBe(200);
    expect((await usage(a.key, { feature: "compute", units: 1, idempotencyKey: shared })).status).toBe(200);
    expect(await written(a.workspaceId)).toEqual({ events: 2, used: "6" });
    expect(await written(b.workspaceId)).toEqual({ events: 1, used: "7" });
  });
});

describe("POST /api/v1/check and GET /api/v1/limitations", () => {
  it("check answers like usage without recording anything", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "10", overflow: "block" } });
    await usage(key, { feature: "compute", units: 4, idempotencyKey: uid() });
    const ok = await api.request("/api/v1/check", { key, body: { feature: "compute", units: 6 } });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ allowed: true, feature: "compute", units: 6, remaining: 6, extrasRemaining: 0 });
    expect(ok.headers["x-quota-remaining"]).toBe("6");
    const no = await api.request("/api/v1/check", { key, body: { feature: "compute", units: 7 } });
    expect(no.status).toBe(200);
    expect(no.json).toMatchObject({ allowed: false, units: 7, remaining: 6 });
    const dflt = await api.request("/api/v1/check", { key, body: { feature: "compute" } });
    expect(dflt.json).toMatchObject({ allowed: true, units: 1 });
    expect(await written(workspaceId)).toEqual({ events: 1, used: "4" });
  });

  it("limitations lists plan, status, every entitlement and extras as numbers", async () => {
    const { key } = await seedWorkspace({ compute: { limit: "100", overflow: "extras" } });
    await usage(key, { feature: "compute", units: 30, idempotencyKey: uid() });
    const r = await api.request("/api/v1/limitations", { key });
    expect(r.status).toBe(200);
    expect(r.json.plan).toMatchObject({ key: expect.stringMatching(/^http_/), version: 1, name: "Free" });
    expect(r.json.status).toBe("active");
    expect(r.json.entitlements.map((e: { feature: string }) => e.feature)).toEqual(["api_calls", "compute", "projects", "seats"]);
    expect(r.json.entitlements[1]).toEqual({
      feature: "compute", kind: "meter", period: "week", overflow: "extras", limit: 100, used: 30, remaining: 70, resetsAt: expect.any(String),
    });
    expect(r.json.extras).toEqual({ balance: 0, usable: 0, expiringSoon: [] });
  });

  it("openapi.json is an OpenAPI 3.1 document whose schemas are the handlers' own", async () => {
    const r = await api.request("/api/v1/openapi.json");
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe("3.1.0");
    expect(Object.keys(r.json.paths).sort()).toEqual([
      "/api/v1/check", "/api/v1/events", "/api/v1/gauges/{feature}/claim", "/api/v1/gauges/{feature}/release", "/api/v1/limitations", "/api/v1/openapi.json", "/api/v1/ping", "/api/v1/usage", "/api/v1/usage/batch",
      "/api/v1/workspaces", "/api/v1/workspaces/{ref}", "/api/v1/workspaces/{ref}/checkout-sessions", "/api/v1/workspaces/{ref}/extras/checkout-sessions", "/api/v1/workspaces/{ref}/portal-sessions",
    ]);
    const req = r.json.components.schemas.UsageRequest;
    expect(req.additionalProperties).toBe(false);
    expect(req.required).toEqual(["feature"]);
    expect(r.json.components.schemas.BatchRequest.properties.events.maxItems).toBe(1000);
  });
});
