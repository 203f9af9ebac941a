// The API's routing table is served two ways: by `npm start` straight from node:http (every other HTTP test),
// and by Next through the catch-all route pages/api/v1/[...path].ts (`next start` here; Vercel and `next dev`
// the same way). Both must answer every kind of request alike: routes with and without path segments, unknown
// paths, trailing slashes, HEAD and OPTIONS, bad input, and the security headers.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { api, closeAll, seedWorkspace, uid } from "./helpers";
import { createClient, type Reply } from "./client";
import { startAppServer, type AppServer } from "./server";

let next: AppServer;
let viaNext: ReturnType<typeof createClient>;
let ws: Awaited<ReturnType<typeof seedWorkspace>>;

beforeAll(async () => {
  ws = await seedWorkspace({ compute: { limit: "1000", overflow: "block" } });
  next = await startAppServer({ databaseSuffix: "http", databaseUrl: inject("httpDatabaseUrl"), via: "next-start", portRange: [3500, 3540], log: "test-results/http-next-start.log" });
  viaNext = createClient(next.baseUrl, 8);
}, 120_000);

afterAll(async () => {
  viaNext?.close();
  await next?.stop();
  await closeAll();
});

const HEADERS = ["content-type", "allow", "x-quota-remaining", "location", "content-security-policy", "x-frame-options", "strict-transport-security"];

/** What must be the same from both servers: the status, the error code or the body, and the headers above. */
function shape(r: Reply) {
  const headers = Object.fromEntries(HEADERS.map((h) => [h, r.headers[h] === undefined ? undefined : String(r.headers[h])]));
  const body = r.json && typeof r.json === "object" && "error" in (r.json as object) ? { code: (r.json as { error: { code: string } }).error.code } : r.text.length ? "body" : "";
  return { status: r.status, headers, body };
}

describe("the API under npm start and under Next's own server", () => {
  const cases: [string, (key: string) => Parameters<typeof api.request>][] = [
    ["a route that touches nothing", () => ["/api/v1/ping"]],
    ["a usage event", (key) => ["/api/v1/usage", { key, body: { feature: "compute", units: 1, idempotencyKey: `r-${uid()}` } }]],
    ["a check", (key) => ["/api/v1/check", { key, body: { feature: "compute", units: 1 } }]],
    ["a route with a path segment", (key) => ["/api/v1/gauges/seats/claim", { key, body: { idempotencyKey: `g-${uid()}` } }]],
    ["an encoded path segment", (key) => ["/api/v1/workspaces/no%20such%20workspace", { key }]],
    ["an unknown path", (key) => ["/api/v1/no-such-route", { key }]],
    ["an unknown path below a known one", (key) => ["/api/v1/usage/batch/more", { key, body: {} }]],
    ["a trailing slash", (key) => ["/api/v1/usage/", { key, body: {} }]],
    ["an empty segment", (key) => ["/api/v1//usage", { key, body: {} }]],
    ["a backslash", (key) => ["/api/v1/usage\\batch", { key, body: {} }]],
    ["a method the route lacks", (key) => ["/api/v1/check", { key, method: "DELETE" }]],
    ["HEAD", () => ["/api/v1/ping", { method: "HEAD" }]],
    ["OPTIONS", () => ["/api/v1/usage", { method: "OPTIONS" }]],
    ["bad JSON", (key) => ["/api/v1/usage", { key, raw: "{not json", method: "POST" }]],
    ["a bad key", () => ["/api/v1/limitations", { key: `tk_live_00000000_${"F".repeat(43)}` }]],
    ["a query string", (key) => ["/api/v1/events?limit=1", { key }]],
  ];

  it.each(cases)("%s", async (_, request) => {
    const [p, opts] = request(ws.key);
    const a = await api.request(p, opts);
    const b = await viaNext.request(p, opts);
    expect(shape(a)).toEqual(shape(b));
    expect(a.status).toBeLessThan(500);
  });

  it("refuses a path segment that is not valid percent-encoding with 400 (Next, before any route: a page)", async () => {
    const p = "/api/v1/workspaces/%E0%A4%A";
    const [a, b] = [await api.request(p, { key: ws.key }), await viaNext.request(p, { key: ws.key })];
    expect([a.status, b.status]).toEqual([400, 400]);
    expect(a.json).toMatchObject({ error: { code: "invalid_request" } });
  });

  it("answers an unknown path in the API's error shape, not a page", async () => {
    const r = await api.request("/api/v1/no-such-route");
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("npm start on SIGTERM", () => {
  it("answers a request in flight before it exits", async () => {
    const server = await startAppServer({ databaseSuffix: "http", databaseUrl: inject("httpDatabaseUrl"), portRange: [3540, 3580], log: "test-results/http-sigterm.log" });
    const body = JSON.stringify({ feature: "compute", units: 1, idempotencyKey: `s-${uid()}` });
    const url = new URL("/api/v1/usage", server.baseUrl);
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(url, { method: "POST", headers: { authorization: `Bearer ${ws.key}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      // Half the body now, the rest once the server has been told to stop: the request is in flight meanwhile.
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 500);
    });
    await new Promise((r) => setTimeout(r, 200));
    const stopped = server.stop();
    const r = await answer;
    await stopped;
    expect(r.status, r.text).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ allowed: true, feature: "compute" });
  }, 60_000);
});
