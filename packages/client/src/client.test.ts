import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createTallyClient, TallyApiError } from "./index";
import { retryAfterMs } from "./retry";
import { withUsage, UsageNotRecordedError } from "./server";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  at: number;
}
type Answer = { status: number; headers?: Record<string, string>; body: unknown };

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A local server answering each request with the next of `answers` (the last one repeats), keeping what it was sent. */
async function fakeTally(answers: Answer[] | ((seen: Seen) => Answer)) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: text ? JSON.parse(text) : undefined, at: Date.now() };
      seen.push(s);
      const a = typeof answers === "function" ? answers(s) : answers[Math.min(seen.length - 1, answers.length - 1)]!;
      res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
      res.end(JSON.stringify(a.body));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { baseUrl, seen };
}

const answer = { allowed: true, feature: "compute", units: 1, remaining: 9, extrasRemaining: 0, resetsAt: null };
const refusal = (code: string, status: number, headers?: Record<string, string>): Answer => ({ status, headers, body: { error: { code, message: code } } });

describe("retries", () => {
  it("waits what Retry-After says after a 429, then sends the same request with the same idempotency key", async () => {
    const tally = await fakeTally([refusal("rate_limited", 429, { "retry-after": "1" }), { status: 200, body: answer }]);
    const client = createTallyClient({ baseUrl: tally.baseUrl, apiKey: "tk_test" });
    const started = Date.now();
    expect(await client.recordUsage({ feature: "compute", units: 1 })).toEqual(answer);
    expect(tally.seen).toHaveLength(2);
    const [first, second] = tally.seen as [Seen, Seen];
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(5000);
    const key = (first.body as { idempotencyKey: string }).idempotencyKey;
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.body).toEqual(first.body);
    expect(second.headers.authorization).toBe("Bearer tk_test");
  });

  it("retries 503 billing_unavailable, at most `retries` times, and then answers the last refusal", async () => {
    const tally = await fakeTally([refusal("billing_unavailable", 503, { "retry-after": "0" })]);
    const client = createTallyClient({ baseUrl: tally.baseUrl, apiKey: "k", retry: { retries: 2 } });
    const e = await client.recordUsage({ feature: "compute", units: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TallyApiError);
    expect(e).toMatchObject({ status: 503, code: "billing_unavailable", retryAfterMs: 0 });
    expect(tally.seen).toHaveLength(3);
    expect(new Set(tally.seen.map((s) => (s.body as { idempotencyKey: string }).idempotencyKey)).size).toBe(1);
  });

  it("never retries sooner than asked: a Retry-After beyond the bound goes back to the caller at once", async () => {
    const tally = await fakeTally([refusal("rate_limited", 429, { "retry-after": "120" })]);
    const client = createTallyClient({ baseUrl: tally.baseUrl, apiKey: "k", retry: { maxDelayMs: 10_000 } });
    const e = await client.limitations().catch((x: unknown) => x);
    expect(e).toMatchObject({ status: 429, code: "rate_limited", retryAfterMs: 120_000 });
    expect(tally.seen).toHaveLength(1);
  });

  it("does not retry other refusals (402, 400, 409)", async () => {
    for (const [code, status] of [["quota_exhausted", 402], ["invalid_request", 400], ["idempotency_conflict", 409]] as const) {
      const tally = await fakeTally([refusal(code, status)]);
      const client = createTallyClient({ baseUrl: tally.baseUrl, apiKey: "k" });
      await expect(client.recordUsage({ feature: "compute", units: 1 })).rejects.toMatchObject({ status, code });
      expect(tally.seen).toHaveLength(1);
    }
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs("soon")).toBeNull();
  });
});

describe("idempotency keys", () => {
  it("adds a new key per call, keeps one that is given (body or header), and keys every batch event", async () => {
    const tally = await fakeTally(() => ({ status: 200, body: answer }));
    const client = createTallyClient({ baseUrl: tally.baseUrl, apiKey: "k" });
    await client.recordUsage({ feature: "compute", units: 1 });
    await client.recordUsage({ feature: "compute", units: 1 });
    await client.recordUsage({ feature: "compute", units: 1, idempotencyKey: "mine" });
    await client.raw.POST("/api/v1/usage", { body: { feature: "compute", units: 1 }, params: { header: { "Idempotency-Key": "in-header" } } });
    await client.recordUsageBatch([{ feature: "compute", units: 1 }, { feature: "compute", units: 2, idempotencyKey: "given" }, { feature: "api_calls", units: 3 }]);
    await client.check({ feature: "compute", units: 1 });
    const keys = tally.seen.slice(0, 3).map((s) => (s.body as { idempotencyKey: string }).idempotencyKey);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe("mine");
    expect(tally.seen[3]!.body).toEqual({ feature: "compute", units: 1 });
    expect(tally.seen[3]!.headers["idempotency-key"]).toBe("in-header");
    const events = (tally.seen[4]!.body as { events: { idempotencyKey: string }[] }).events.map((e) => e.idempotencyKey);
    expect(events[1]).toBe("given");
    expect(events[0]).toMatch(/-0$/);
    expect(events[2]).toBe(events[0]!.replace(/-0$/, "-2"));
    // Nothing is recorded by a check: no key.
    expect(tally.seen[5]!.body).toEqual({ feature: "compute", units: 1 });
  });
});

describe("withUsage", () => {
  it("checks, runs the action, then records its units", async () => {
    const tally = await fakeTally((s) => ({ status: 200, body: { ...answer, units: (s.body as { units: number }).units } }));
    const client = createTallyClient({ baseUrl: tally.baseUrl, apiKey: "k" });
    const { result, usage } = await withUsage(client, { feature: "compute", units: 3, idempotencyKey: "job-1" }, async () => "done");
    expect(result).toBe("done");
    expect(usage.units).toBe(3);
    expect(tally.seen.map((s) => s.url)).toEqual(["/api/v1/check", "/api/v1/usage"]);
    expect(tally.seen[1]!.body).toEqual({ feature: "compute", units: 3, idempotencyKey: "job-1" });
  });

  it("fails closed: a refusal or an unreachable Tally never runs the action", async () => {
    let ran = 0;
    const action = async () => ++ran;
    const refusing = await fakeTally([{ status: 200, body: { ...answer, allowed: false, remaining: 0 } }]);
    await expect(withUsage(createTallyClient({ baseUrl: refusing.baseUrl, apiKey: "k" }), { feature: "compute" }, action)).rejects.toMatchObject({ code: "quota_exhausted", status: 402 });
    const down = await fakeTally([refusal("billing_unavailable", 503, { "retry-after": "0" })]);
    await expect(withUsage(createTallyClient({ baseUrl: down.baseUrl, apiKey: "k", retry: { retries: 1 } }), { feature: "compute" }, action)).rejects.toMatchObject({ code: "billing_unavailable" });
    await expect(withUsage(createTallyClient({ baseUrl: "http://127.0.0.1:1", apiKey: "k" }), { feature: "compute" }, action)).rejects.toThrow();
    expect(ran).toBe(0);
  });

  it("says so, with the result and the key, when the action ran but the recording failed", async () => {
    const tally = await fakeTally((s) => (s.url === "/api/v1/check" ? { status: 200, body: answer } : refusal("quota_exhausted", 402)));
    const client = createTallyClient({ baseUrl: tally.baseUrl, apiKey: "k" });
    const e = await withUsage(client, { feature: "compute", idempotencyKey: "job-2" }, async () => 42).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageNotRecordedError);
    expect(e).toMatchObject({ result: 42, idempotencyKey: "job-2" });
  });
});

describe("helpers", () => {
  it("claim and release gauges, list events and manage webhook endpoints on their paths, with keys where they record", async () => {
    const endpoint = { id: "we_1", url: "https://x.example/h", description: null, eventTypes: ["invoice.paid"], enabled: true, disabledReason: null, disabledAt: null, createdAt: "t", updatedAt: "t" };
    const tally = await fakeTally((s) => {
      if (s.url.startsWith("/api/v1/gauges/")) return { status: 200, body: { ...answer, feature: "seats" } };
      if (s.url.startsWith("/api/v1/events")) return { status: 200, body: { data: [], nextCursor: null } };
      if (s.url === "/api/v1/webhook-endpoints" && s.method === "POST") return { status: 201, body: { ...endpoint, secret: "whsec_x" } };
      if (s.url === "/api/v1/webhook-endpoints") return { status: 200, body: { data: [endpoint] } };
      if (s.method === "DELETE") return { status: 200, body: { id: "we_1", deleted: true } };
      return s.url === "/api/v1/webhook-endpoints/we_1" ? { status: 200, body: endpoint } : refusal("not_found", 404);
    });
    const client = createTallyClient({ baseUrl: tally.baseUrl, apiKey: "tk_platform_test" });
    expect((await client.claimGauge("seats", { workspace: "org_1" })).feature).toBe("seats");
    await client.releaseGauge("seats", { units: 2, idempotencyKey: "member_7" });
    await client.listEvents({ feature: "compute", limit: 5 });
    expect((await client.webhookEndpoints.create({ url: endpoint.url })).secret).toBe("whsec_x");
    expect(await client.webhookEndpoints.list()).toEqual([endpoint]);
    await client.webhookEndpoints.update("we_1", { enabled: false });
    await client.webhookEndpoints.delete("we_1");
    await expect(client.webhookEndpoints.get("we_2")).rejects.toMatchObject({ status: 404, code: "not_found" });

    const calls = tally.seen.map((s) => [s.method, s.url]);
    expect(calls).toEqual([
      ["POST", "/api/v1/gauges/seats/claim"], ["POST", "/api/v1/gauges/seats/release"], ["GET", "/api/v1/events?feature=compute&limit=5"],
      ["POST", "/api/v1/webhook-endpoints"], ["GET", "/api/v1/webhook-endpoints"], ["PATCH", "/api/v1/webhook-endpoints/we_1"],
      ["DELETE", "/api/v1/webhook-endpoints/we_1"], ["GET", "/api/v1/webhook-endpoints/we_2"],
    ]);
    const bodies = tally.seen.map((s) => s.body as Record<string, unknown> | undefined);
    // A claim and a creation without a key get one; a key given is kept.
    expect(bodies[0]).toEqual({ workspace: "org_1", idempotencyKey: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(bodies[1]).toEqual({ units: 2, idempotencyKey: "member_7" });
    expect(bodies[3]).toEqual({ url: endpoint.url, idempotencyKey: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(bodies[5]).toEqual({ enabled: false });
  });
});
