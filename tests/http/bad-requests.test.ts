import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAILURE_LIMIT } from "@/lib/api-keys";
import { api, clientIp, closeAll, seedWorkspace, testDb, uid, written } from "./helpers";

afterAll(closeAll);

let ws: Awaited<ReturnType<typeof seedWorkspace>>;
beforeAll(async () => {
  ws = await seedWorkspace({ compute: { limit: "1000", overflow: "block" } });
});

const twoMegabytes = JSON.stringify({ feature: "compute", units: 1, idempotencyKey: "big", metadata: { pad: "x".repeat(2 * 1024 * 1024) } });

// Each case: a request that must be refused with this status and code, and must write nothing.
const cases: { name: string; path?: string; raw?: string | Buffer; body?: unknown; headers?: Record<string, string>; status: number; code: string }[] = [
  { name: "malformed JSON", raw: '{"feature": "compute", "units": 1,', status: 400, code: "invalid_request" },
  { name: "an empty body", raw: "", status: 400, code: "invalid_request" },
  { name: "a JSON array", body: [{ feature: "compute", units: 1 }], status: 400, code: "invalid_request" },
  { name: "a JSON string", raw: '"compute"', status: 400, code: "invalid_request" },
  { name: "units as a word", body: { feature: "compute", units: "ten", idempotencyKey: "k1" }, status: 400, code: "invalid_request" },
  { name: "units as a boolean", body: { feature: "compute", units: true, idempotencyKey: "k2" }, status: 400, code: "invalid_request" },
  { name: "feature as a number", body: { feature: 7, units: 1, idempotencyKey: "k3" }, status: 400, code: "invalid_request" },
  { name: "metadata as a string", body: { feature: "compute", units: 1, idempotencyKey: "k4", metadata: "x" }, status: 400, code: "invalid_request" },
  { name: "a missing feature", body: { units: 1, idempotencyKey: "k5" }, status: 400, code: "invalid_request" },
  { name: "neither units nor costs", body: { feature: "compute", idempotencyKey: "k6" }, status: 400, code: "invalid_request" },
  { name: "both units and costs", body: { feature: "compute", units: 1, costs: { action: "small" }, idempotencyKey: "k7" }, status: 400, code: "invalid_request" },
  { name: "a missing idempotency key", body: { feature: "compute", units: 1 }, status: 400, code: "invalid_request" },
  { name: "an unknown field", body: { feature: "compute", units: 1, idempotencyKey: "k8", unit: 1 }, status: 400, code: "invalid_request" },
  { name: "a workspaceId field", body: { feature: "compute", units: 1, idempotencyKey: "k9", workspaceId: "other" }, status: 400, code: "invalid_request" },
  { name: "an unknown field in costs", body: { feature: "compute", costs: { action: "small", cents: 3 }, idempotencyKey: "k10" }, status: 400, code: "invalid_request" },
  { name: "zero units", body: { feature: "compute", units: 0, idempotencyKey: "k11" }, status: 400, code: "invalid_request" },
  { name: "negative units", body: { feature: "compute", units: -5, idempotencyKey: "k12" }, status: 400, code: "invalid_request" },
  { name: "units above 2^53 - 1", body: { feature: "compute", units: 2 ** 53, idempotencyKey: "k13" }, status: 400, code: "invalid_request" },
  { name: "units of 1e300", raw: '{"feature":"compute","units":1e300,"idempotencyKey":"k14"}', status: 400, code: "invalid_request" },
  { name: "seven decimals", body: { feature: "compute", units: "1.0000001", idempotencyKey: "k15" }, status: 400, code: "invalid_request" },
  { name: "an idempotency key of 256 characters", body: { feature: "compute", units: 1, idempotencyKey: "k".repeat(256) }, status: 400, code: "invalid_request" },
  { name: "an unknown feature", body: { feature: "teleports", units: 1, idempotencyKey: "k16" }, status: 400, code: "invalid_request" },
  { name: "a gauge recorded as usage", body: { feature: "seats", units: 1, idempotencyKey: "k17" }, status: 400, code: "invalid_request" },
  { name: "metadata over 4 KB", body: { feature: "compute", units: 1, idempotencyKey: "k18", metadata: { pad: "x".repeat(5000) } }, status: 400, code: "invalid_request" },
  // Deep nesting overflowed the stack of the walks over metadata: a 500.
  { name: "metadata nested 3,500 levels", raw: `{"feature":"compute","units":1,"idempotencyKey":"k26","metadata":${'{"a":'.repeat(3500)}1${"}".repeat(3500)}}`, status: 400, code: "invalid_request" },
  { name: "a body that is not UTF-8", raw: Buffer.concat([Buffer.from('{"feature":"compute","units":1,"idempotencyKey":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), status: 400, code: "invalid_request" },
  { name: "a 2 MB body", raw: twoMegabytes, status: 413, code: "payload_too_large" },
  { name: "a 2 MB body without Content-Length", raw: twoMegabytes, headers: { "content-length": "" }, status: 413, code: "payload_too_large" },
  { name: "text/plain", raw: '{"feature":"compute","units":1,"idempotencyKey":"k19"}', headers: { "content-type": "text/plain" }, status: 415, code: "unsupported_media_type" },
  { name: "a form body", raw: "feature=compute&units=1", headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415, code: "unsupported_media_type" },
  { name: "no content type", raw: '{"feature":"compute","units":1,"idempotencyKey":"k20"}', headers: { "content-type": "" }, status: 415, code: "unsupported_media_type" },
  { name: "check with an unknown field", path: "/api/v1/check", body: { feature: "compute", units: 1, idempotencyKey: "x" }, status: 400, code: "invalid_request" },
  { name: "check with units out of range", path: "/api/v1/check", body: { feature: "compute", units: -1 }, status: 400, code: "invalid_request" },
  { name: "check with malformed JSON", path: "/api/v1/check", raw: "{", status: 400, code: "invalid_request" },
  ...["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"].flatMap((action) => [
    { name: `costs.action ${action}`, body: { feature: "compute", costs: { action }, idempotencyKey: `proto-${action}` }, status: 400, code: "invalid_request" },
    { name: `check with costs.action ${action}`, path: "/api/v1/check", body: { feature: "compute", costs: { action } }, status: 400, code: "invalid_request" },
  ]),
  { name: "a batch of 1001 events", path: "/api/v1/usage/batch", body: { events: Array.from({ length: 1001 }, (_, i) => ({ feature: "compute", units: 1, idempotencyKey: `b${i}` })) }, status: 400, code: "invalid_request" },
  { name: "an empty batch", path: "/api/v1/usage/batch", body: { events: [] }, status: 400, code: "invalid_request" },
  { name: "a batch with one bad event", path: "/api/v1/usage/batch", body: { events: [{ feature: "compute", units: 1, idempotencyKey: "c1" }, { feature: "compute", units: "x", idempotencyKey: "c2" }] }, status: 400, code: "invalid_request" },
  { name: "a batch event without a key", path: "/api/v1/usage/batch", body: { events: [{ feature: "compute", units: 1 }] }, status: 400, code: "invalid_request" },
  // PostgreSQL's text cannot hold NUL: each of these reached it and failed as a 500 before the body was checked for one.
  { name: "a NUL in the idempotency key", body: { feature: "compute", units: 1, idempotencyKey: "k\u0000" }, status: 400, code: "invalid_request" },
  { name: "a NUL in the workspace named", body: { feature: "compute", units: 1, idempotencyKey: "k21", workspace: "\u0000" }, status: 400, code: "invalid_request" },
  { name: "a NUL in a batch event's key", path: "/api/v1/usage/batch", body: { events: [{ feature: "compute", units: 1, idempotencyKey: "c\u0000" }] }, status: 400, code: "invalid_request" },
  { name: "a NUL in the path", path: "/api/v1/workspaces/%00/portal-sessions", body: { returnUrl: "http://127.0.0.1/" }, status: 400, code: "invalid_request" },
  // Any timestamp that is not an ISO 8601 time is invalid_timestamp, whatever its type or length.
  { name: "a timestamp as a number", body: { feature: "compute", units: 1, idempotencyKey: "k24", timestamp: 1714560000 }, status: 400, code: "invalid_timestamp" },
  { name: "a timestamp of 65 characters", body: { feature: "compute", units: 1, idempotencyKey: "k25", timestamp: "2".repeat(65) }, status: 400, code: "invalid_timestamp" },
  // More dollars than an event can store: a 400, not a failed write.
  { name: "costs of 10^30 dollars", body: { feature: "compute", costs: { dollars: `1${"0".repeat(30)}` }, idempotencyKey: "k22" }, status: 400, code: "invalid_request" },
  { name: "costs of 10^30 dollars as a JSON number", raw: `{"feature":"compute","costs":{"dollars":1${"0".repeat(30)}},"idempotencyKey":"k23"}`, status: 400, code: "invalid_request" },
  { name: "a batch with an unknown top-level field", path: "/api/v1/usage/batch", body: { events: [{ feature: "compute", units: 1, idempotencyKey: "c3" }], atomic: true }, status: 400, code: "invalid_request" },
];

describe("bad requests get their 4xx with the error shape and write nothing", () => {
  it.each(cases)("$name -> $status $code", async (c) => {
    const headers: Record<string, string> = { ...(c.raw !== undefined ? { "content-type": "application/json" } : {}), ...c.headers };
    const r = await api.request(c.path ?? "/api/v1/usage", { key: ws.key, body: c.body, raw: c.raw, headers });
    expect(r.status).toBe(c.status);
    expect(r.json).toMatchObject({ error: { code: c.code, message: expect.any(String) } });
    expect(Object.keys(r.json)).toEqual(["error"]);
    expect(await written(ws.workspaceId)).toEqual({ events: 0, used: "0" });
  });

  it.each([
    ["a NUL in the feature", "feature=%00"],
    ["a NUL in the workspace", "workspace=%00"],
    ["from in year 0", "from=0000-01-01T00:00:00Z"],
    ["to in year 0", "to=0000-01-01T00:00:00Z"],
    ["a cursor in year -100000", `cursor=${Buffer.from("-100000-01-01T00:00:00.000Z|x").toString("base64url")}`],
    ["a cursor whose id holds a NUL", `cursor=${Buffer.from("2026-01-01T00:00:00.000Z|\u0000").toString("base64url")}`],
  ])("GET /api/v1/events with %s -> 400 invalid_request", async (_, query) => {
    const r = await api.request(`/api/v1/events?${query}`, { key: ws.key });
    expect([r.status, r.json.error?.code]).toEqual([400, "invalid_request"]);
  });

  it("GET /api/v1/events from year 1 to year 9999 is a page", async () => {
    const r = await api.request("/api/v1/events?from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z", { key: ws.key });
    expect([r.status, r.json.data]).toEqual([200, []]);
  });

  it("a NUL in the query of a route without a key is not looked at", async () => {
    const r = await api.request("/api/v1/ping?x=%00");
    expect(r.status).toBe(200);
  });

  it("a NUL in the URL with a bad key is 401, as any bad input is", async () => {
    const r = await api.request("/api/v1/events?feature=%00", { key: `tk_live_00000000_${"N".repeat(43)}`, headers: { "x-forwarded-for": clientIp() } });
    expect([r.status, r.json.error.code]).toEqual([401, "unauthorized"]);
  });

  /** Sends `events` as one batch to a fresh workspace: each event's status with its error, and what was written. */
  async function batchOf(events: object[]) {
    const own = await seedWorkspace({ compute: { limit: "1000", overflow: "block" } });
    const r = await api.request("/api/v1/usage/batch", { key: own.key, body: { events } });
    expect(r.status).toBe(200);
    const results = (r.json.results as { status: number; error?: { code: string; message: string } }[]).map((x) => ({ status: x.status, ...x.error }));
    return { results, stored: await written(own.workspaceId) };
  }

  it("a NUL in one batch event's metadata, costs (action or model) or timestamp fails that event alone", async () => {
    const event = (key: string, extra: object) => ({ feature: "compute", units: 1, idempotencyKey: key, ...extra });
    const events = [
      event("nul-ok", {}),
      event("nul-meta", { metadata: { note: "a\u0000b" } }),
      { feature: "compute", costs: { action: "small\u0000" }, idempotencyKey: "nul-costs" },
      event("nul-time", { timestamp: "2026-05-01T12:00:00Z\u0000" }),
      { feature: "compute", costs: { tokens: [{ provider: "openai\u0000", model: "gpt-4o", input: 10 }] }, idempotencyKey: "nul-tokens" },
    ];
    const { results, stored } = await batchOf(events);
    expect(results.map((x) => [x.status, x.code])).toEqual([
      [200, undefined],
      [400, "invalid_request"],
      [400, "invalid_request"],
      [400, "invalid_timestamp"],
      [400, "invalid_request"],
    ]);
    expect(stored).toEqual({ events: 1, used: "1" });
  });

  it("metadata nested deeper than 32 levels is refused with the limit, in a batch for that event alone", async () => {
    const nest = (levels: number): object => (levels === 1 ? { a: 1 } : { a: nest(levels - 1) });
    const { results, stored } = await batchOf([32, 33, 3000].map((levels) => ({ feature: "compute", units: 1, idempotencyKey: `deep-${levels}`, metadata: nest(levels) })));
    const tooDeep = { status: 400, code: "invalid_request", message: "metadata must be nested at most 32 levels deep.", details: { field: "metadata" } };
    expect(results).toEqual([{ status: 200 }, tooDeep, tooDeep]);
    expect(stored).toEqual({ events: 1, used: "1" });
  });

  it("names the offending field", async () => {
    const r = await api.request("/api/v1/usage", { key: ws.key, body: { feature: "compute", units: 1, idempotencyKey: "n1", color: "red" } });
    expect(r.json.error.message).toMatch(/color/);
    const b = await api.request("/api/v1/usage/batch", { key: ws.key, body: { events: [{ feature: "compute", units: 1, idempotencyKey: "n2" }, { feature: "compute", units: 0, idempotencyKey: "n3" }] } });
    expect(b.json.error.message).toMatch(/^events\.1\.units/);
  });
});

describe("authentication", () => {
  const body = { feature: "compute", units: 1, idempotencyKey: "auth" };
  it.each([
    ["no Authorization header", undefined, {}],
    ["a Basic header", undefined, { authorization: "Basic dXNlcjpwYXNz" }],
    ["a malformed key", "not-a-key", {}],
    ["a well-formed unknown key", `tk_live_00000000_${"A".repeat(43)}`, {}],
  ] as const)("%s -> 401", async (_, key, headers) => {
    const r = await api.request("/api/v1/usage", { key, body, headers: { ...headers, "x-forwarded-for": clientIp() } });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    expect(await written(ws.workspaceId)).toEqual({ events: 0, used: "0" });
  });

  it(`after ${FAILURE_LIMIT} bad keys a client gets 429 with Retry-After for bad keys; a good key is still served`, async () => {
    const ip = clientIp();
    const bad = `tk_live_00000000_${"B".repeat(43)}`;
    const statuses: number[] = [];
    for (let i = 0; i < FAILURE_LIMIT + 2; i++) {
      statuses.push((await api.request("/api/v1/limitations", { key: bad, headers: { "x-forwarded-for": ip } })).status);
    }
    expect(statuses).toEqual([...Array(FAILURE_LIMIT).fill(401), 429, 429]);
    // A blocked client's bad keys record and read nothing.
    for (const path of ["/api/v1/limitations", "/api/v1/usage", "/api/v1/check"]) {
      const blocked = await api.request(path, { key: bad, body: path === "/api/v1/limitations" ? undefined : { feature: "compute", units: 1, idempotencyKey: "blocked" }, headers: { "x-forwarded-for": ip } });
      expect(blocked.status).toBe(429);
      expect(blocked.json.error.code).toBe("rate_limited");
      expect(Number(blocked.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(Number(blocked.headers["retry-after"])).toBeLessThanOrEqual(60);
    }
    expect(await written(ws.workspaceId)).toEqual({ events: 0, used: "0" });
    // The count is per address, and an address is shared: the holder of a good key there is served.
    const good = await api.request("/api/v1/limitations", { key: ws.key, headers: { "x-forwarded-for": ip } });
    expect(good.status).toBe(200);
  });

  it.each([
    ["a bad body", { raw: "{not json", headers: { "content-type": "application/json" } }],
    ["an unknown field", { body: { feature: "compute", units: 1, idempotencyKey: "u", color: "red" } }],
    ["a wrong content type", { raw: "feature=compute", headers: { "content-type": "application/x-www-form-urlencoded" } }],
    ["no idempotency key", { body: { feature: "compute", units: 1 } }],
  ] as const)("the key is checked before anything else: a bad key with %s gets 401, a good one 4xx", async (_, req) => {
    const headers = { ...("headers" in req ? req.headers : {}) };
    for (const path of ["/api/v1/usage", "/api/v1/check"]) {
      const ip = clientIp();
      const bad = await api.request(path, { ...req, key: `tk_live_00000000_${"E".repeat(43)}`, headers: { ...headers, "x-forwarded-for": ip } });
      expect(bad.status).toBe(401);
      // Counted once per request, not once per look at the key.
      const next = await api.request(path, { ...req, key: `tk_live_00000000_${"E".repeat(43)}`, headers: { ...headers, "x-forwarded-for": ip } });
      expect(next.status).toBe(401);
      const failures = await testDb().authFailure.findMany({ where: { clientKey: `api:${ip}` } });
      expect(failures.reduce((n, f) => n + f.count, 0)).toBe(2);
      const good = await api.request(path, { ...req, key: ws.key, headers: { ...headers, "x-forwarded-for": clientIp() } });
      if (path === "/api/v1/check" && _ === "no idempotency key") expect(good.status).toBe(200);
      else expect([400, 415]).toContain(good.status);
    }
    expect(await written(ws.workspaceId)).toEqual({ events: 0, used: "0" });
  });

  it("a body led by a UTF-8 byte-order mark is read as JSON", async () => {
    const r = await api.request("/api/v1/check", { key: ws.key, raw: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"feature":"compute","units":1}')]), headers: { "content-type": "application/json" } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ allowed: true, feature: "compute" });
  });

  it("unknown methods and paths are not 5xx", async () => {
    const get = await api.request("/api/v1/usage", { key: ws.key });
    expect(get.status).toBe(405);
    expect(get.json).toMatchObject({ error: { code: "method_not_allowed", message: expect.any(String) } });
    expect(get.headers.allow).toBe("POST, OPTIONS");
    const options = await api.request("/api/v1/limitations", { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe("GET, HEAD, OPTIONS");
    // HEAD answers as GET would, without the body.
    const head = await api.request("/api/v1/limitations", { method: "HEAD", key: ws.key });
    const full = await api.request("/api/v1/limitations", { key: ws.key });
    expect([head.status, head.text]).toEqual([200, ""]);
    expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(full.text)));
    const missing = await api.request(`/api/v1/${uid()}`, { key: ws.key });
    expect(missing.status).toBe(404);
  });
});
