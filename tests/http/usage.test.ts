import { afterAll, describe, expect, it } from "vitest";
import { revokeApiKey } from "@/lib/api-keys";
import { TallyApiError } from "@tally/client";
import { openApiDocument } from "@/lib/api/openapi";
import { api, baseUrl, closeAll, seedWorkspace, tallyClient, testDb, uid, written } from "./helpers";

afterAll(closeAll);

// Malformed requests, which the typed client would not send, go through the raw client.
const usage = (key: string, body: unknown, headers?: Record<string, string>) => api.request("/api/v1/usage", { key, body, headers });

describe("POST /api/v1/usage", () => {
  it("1,000 concurrent requests of 1 unit against a quota of 100: exactly 100 x 200 and 900 x 402, counter 100", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    const tally = tallyClient(key);
    const run = uid();
    const replies = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        tally.raw.POST("/api/v1/usage", { body: { feature: "compute", units: 1 }, params: { header: { "Idempotency-Key": `${run}-${i}` } } }),
      ),
    );
    const statuses = replies.map((r) => r.response.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 402)).toHaveLength(900);
    for (const r of replies.filter((x) => x.response.status === 402)) {
      expect(r.error?.error.code).toBe("quota_exhausted");
      expect(r.response.headers.get("x-quota-remaining")).toBe("0");
    }
    // Every accepted answer saw its own remaining: 99 down to 0, each exactly once.
    const remaining = replies.filter((r) => r.response.status === 200).map((r) => r.data!.remaining!);
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const window = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" } });
    expect(window.used.toFixed()).toBe("100");
    expect(await written(workspaceId)).toEqual({ events: 100, used: "100" });
  });

  it("answers the documented shape with X-Quota-Remaining", async () => {
    const { key } = await seedWorkspace({ compute: { limit: "10", overflow: "block" } });
    const { data, response } = await tallyClient(key).raw.POST("/api/v1/usage", { body: { feature: "compute", units: "2.5", idempotencyKey: uid(), metadata: { run: "r1" } } });
    expect(response.status).toBe(200);
    expect(data).toEqual({ allowed: true, feature: "compute", units: 2.5, remaining: 7.5, extrasRemaining: 0, resetsAt: expect.any(String) });
    expect(Object.keys(data!)).toEqual(["allowed", "feature", "units", "remaining", "extrasRemaining", "resetsAt"]);
    expect(response.headers.get("x-quota-remaining")).toBe("7.5");
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    // Sent whole with its length, not chunked.
    expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(JSON.stringify(data))));
    expect(response.headers.get("transfer-encoding")).toBeNull();
    expect(new Date(data!.resetsAt!).getTime()).toBeGreaterThan(Date.now());
  });

  it("replays the same Idempotency-Key with the same body, recording once; another payload under it is 409", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    const tally = tallyClient(key);
    const k = `replay-${uid()}`;
    const inHeader = () => tally.raw.POST("/api/v1/usage", { body: { feature: "compute", units: 3 }, params: { header: { "Idempotency-Key": k } } });
    const first = await inHeader();
    const again = await inHeader();
    const inBody = await tally.recordUsage({ feature: "compute", units: 3, idempotencyKey: k });
    expect(first.response.status).toBe(200);
    expect(again.response.status).toBe(200);
    expect(again.data).toEqual(first.data);
    expect(inBody).toEqual(first.data);
    expect(await written(workspaceId)).toEqual({ events: 1, used: "3" });

    const other = await tally.recordUsage({ feature: "compute", units: 4, idempotencyKey: k }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(TallyApiError);
    expect(other).toMatchObject({ status: 409, code: "idempotency_conflict", message: expect.any(String) });
    expect(await written(workspaceId)).toEqual({ events: 1, used: "3" });
  });

  it("concurrent replays of one key record it once and all answer the same body", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    const k = `burst-${uid()}`;
    const tally = tallyClient(key);
    const replies = await Promise.all(Array.from({ length: 50 }, () => tally.recordUsage({ feature: "compute", units: 2, idempotencyKey: k })));
    expect(new Set(replies.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(replies[0]!.allowed).toBe(true);
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
    const tally = tallyClient(key);
    expect((await tally.recordUsage({ feature: "compute", units: 1 })).allowed).toBe(true);
    await revokeApiKey(testDb(), { workspaceId, keyId });
    const headers = { "x-forwarded-for": "10.9.9.9" };
    const after = await tally.raw.POST("/api/v1/usage", { body: { feature: "compute", units: 1 }, headers });
    expect(after.response.status).toBe(401);
    expect(after.error).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    expect((await tally.raw.GET("/api/v1/limitations", { headers })).response.status).toBe(401);
    expect(await written(workspaceId)).toEqual({ events: 1, used: "1" });
  });

  it("workspace A's key reads and writes only workspace A", async () => {
    const a = await seedWorkspace({ compute: { limit: "50", overflow: "block" } });
    const b = await seedWorkspace({ compute: { limit: "50", overflow: "block" } });
    const [tallyA, tallyB] = [tallyClient(a.key), tallyClient(b.key)];
    expect((await tallyA.recordUsage({ feature: "compute", units: 5 })).allowed).toBe(true);
    // Naming B in the body is an unknown field, refused; the key alone decides the workspace.
    const named = await usage(a.key, { feature: "compute", units: 5, idempotencyKey: uid(), workspaceId: b.workspaceId });
    expect(named.status).toBe(400);
    const limitsA = await tallyA.limitations();
    expect(limitsA.workspaceId).toBe(a.workspaceId);
    expect(limitsA.entitlements.find((e) => e.feature === "compute")!.used).toBe(5);
    const limitsB = await tallyB.limitations();
    expect(limitsB.workspaceId).toBe(b.workspaceId);
    expect(limitsB.entitlements.find((e) => e.feature === "compute")!.used).toBe(0);
    // The same idempotency key in two workspaces is two different events.
    const shared = `shared-${uid()}`;
    expect((await tallyB.recordUsage({ feature: "compute", units: 7, idempotencyKey: shared })).allowed).toBe(true);
    expect((await tallyA.recordUsage({ feature: "compute", units: 1, idempotencyKey: shared })).allowed).toBe(true);
    expect(await written(a.workspaceId)).toEqual({ events: 2, used: "6" });
    expect(await written(b.workspaceId)).toEqual({ events: 1, used: "7" });
  });
});

describe("POST /api/v1/check and GET /api/v1/limitations", () => {
  it("check answers like usage without recording anything", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "10", overflow: "block" } });
    const tally = tallyClient(key);
    await tally.recordUsage({ feature: "compute", units: 4 });
    const ok = await tally.raw.POST("/api/v1/check", { body: { feature: "compute", units: 6 } });
    expect(ok.response.status).toBe(200);
    expect(ok.data).toMatchObject({ allowed: true, feature: "compute", units: 6, remaining: 6, extrasRemaining: 0 });
    expect(ok.response.headers.get("x-quota-remaining")).toBe("6");
    expect(await tally.check({ feature: "compute", units: 7 })).toMatchObject({ allowed: false, units: 7, remaining: 6 });
    expect(await tally.check({ feature: "compute" })).toMatchObject({ allowed: true, units: 1 });
    expect(await written(workspaceId)).toEqual({ events: 1, used: "4" });
  });

  it("limitations lists plan, status, every entitlement and extras as numbers", async () => {
    const { key } = await seedWorkspace({ compute: { limit: "100", overflow: "extras" } });
    const tally = tallyClient(key);
    await tally.recordUsage({ feature: "compute", units: 30 });
    const l = await tally.limitations();
    expect(l.plan).toMatchObject({ key: expect.stringMatching(/^http_/), version: 1, name: "Free" });
    expect(l.status).toBe("active");
    expect(l.entitlements.map((e) => e.feature)).toEqual(["api_calls", "compute", "projects", "seats"]);
    expect(l.entitlements[1]).toEqual({
      feature: "compute", kind: "meter", period: "week", overflow: "extras", limit: 100, used: 30, remaining: 70, resetsAt: expect.any(String),
    });
    expect(l.extras).toEqual({ balance: 0, usable: 0, expiringSoon: [] });
  });

  it("openapi.json is an OpenAPI 3.1 document whose schemas are the handlers' own", async () => {
    const r = await api.request("/api/v1/openapi.json");
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe("3.1.0");
    expect(Object.keys(r.json.paths).sort()).toEqual([
      "/api/v1/check", "/api/v1/events", "/api/v1/gauges/{feature}/claim", "/api/v1/gauges/{feature}/release", "/api/v1/limitations", "/api/v1/openapi.json", "/api/v1/ping", "/api/v1/usage", "/api/v1/usage/batch",
      "/api/v1/webhook-endpoints", "/api/v1/webhook-endpoints/{id}",
      "/api/v1/workspaces", "/api/v1/workspaces/{ref}", "/api/v1/workspaces/{ref}/checkout-sessions", "/api/v1/workspaces/{ref}/extras/checkout-sessions", "/api/v1/workspaces/{ref}/portal-sessions",
    ]);
    const req = r.json.components.schemas.UsageRequest;
    expect(req.additionalProperties).toBe(false);
    expect(req.required).toEqual(["feature"]);
    expect(r.json.components.schemas.BatchRequest.properties.events.maxItems).toBe(1000);
    // The deployment's own URL, and the very document the typed client is generated from and checked against.
    expect(r.json.servers).toEqual([{ url: baseUrl, description: expect.any(String) }]);
    expect(r.json).toEqual(JSON.parse(JSON.stringify(openApiDocument(baseUrl))));
  });
});
