// The metering API's route handlers called over a real HTTP server on this worker's database (the same
// router `npm start` and the framework serve): exact amounts in every answer, and bad actions answered 400.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/api-keys";
import { topupExtras } from "@/lib/billing";
import { apiRouter } from "@/lib/api/router";
import { createClient } from "../../http/client";
import { readExact } from "../../http/exact";
import { closeTestDb, seedWorkspace, testDb, uid, writtenRows } from "../billing/helpers";

let server: http.Server;
let api: ReturnType<typeof createClient>;

beforeAll(async () => {
  server = http.createServer((req, res) => void apiRouter(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api = createClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 8);
});

afterAll(async () => {
  api.close();
  await new Promise((resolve) => server.close(resolve));
  await closeTestDb();
});

// A quota and a balance with more significant digits than a double holds (17): Number() would round them.
async function bigWorkspace() {
  const { workspaceId } = await seedWorkspace({ compute: { limit: "999999999999999", overflow: "block" } });
  const key = await createApiKey(testDb(), { workspaceId, name: "exact" });
  await topupExtras(testDb(), {
    workspaceId,
    pack: "compute_500",
    units: "987654321098.765432",
    checkoutSessionId: `cs_${uid()}`,
    expiresAt: new Date(Date.now() + 10 * 86_400_000),
  });
  return { workspaceId, key: key.secret };
}

describe("amounts in the API's answers are exact", () => {
  it("usage, its replay, check, a refusal, a batch and limitations write every digit", async () => {
    const { key } = await bigWorkspace();
    const used = await api.request("/api/v1/usage", { key, body: { feature: "compute", units: "123456789012.123456", idempotencyKey: "big" } });
    expect(used.status).toBe(200);
    expect(used.text).toContain('"units":123456789012.123456,"remaining":999876543210986.876544,"extrasRemaining":987654321098.765432');
    expect(readExact(used.text)).toEqual({
      allowed: true,
      feature: "compute",
      units: "123456789012.123456",
      remaining: "999876543210986.876544",
      extrasRemaining: "987654321098.765432",
      resetsAt: expect.any(String),
    });
    // Still JSON numbers: the public shape did not change.
    expect(typeof used.json.units).toBe("number");
    expect(used.headers["x-quota-remaining"]).toBe("999876543210986.876544");

    const replay = await api.request("/api/v1/usage", { key, body: { feature: "compute", units: "123456789012.123456", idempotencyKey: "big" } });
    expect(replay.text).toBe(used.text);

    const check = await api.request("/api/v1/check", { key, body: { feature: "compute", units: "0.000001" } });
    expect(readExact(check.text)).toMatchObject({ allowed: true, units: "0.000001", remaining: "999876543210986.876544", extrasRemaining: "987654321098.765432" });

    const refused = await api.request("/api/v1/usage", { key, body: { feature: "compute", units: "9007199254740991", idempotencyKey: "too-big" } });
    expect(refused.status).toBe(402);
    expect(readExact(refused.text)).toMatchObject({
      error: { code: "quota_exhausted", details: { units: "9007199254740991", remaining: "999876543210986.876544", extrasRemaining: "987654321098.765432" } },
    });

    const batch = await api.request("/api/v1/usage/batch", {
      key,
      body: {
        events: [
          { feature: "compute", units: "0.000001", idempotencyKey: "b1" },
          { feature: "compute", units: "9007199254740991", idempotencyKey: "b2" },
          { feature: "compute", units: "1.5", idempotencyKey: "b3" },
        ],
      },
    });
    expect(batch.status).toBe(200);
    const results = (readExact(batch.text) as { results: unknown[] }).results;
    expect(results).toEqual([
      { index: "0", idempotencyKey: "b1", status: "200", answer: expect.objectContaining({ units: "0.000001", remaining: "999876543210986.876543", extrasRemaining: "987654321098.765432" }) },
      {
        index: "1",
        idempotencyKey: "b2",
        status: "402",
        error: expect.objectContaining({ code: "quota_exhausted", details: expect.objectContaining({ units: "9007199254740991", remaining: "999876543210986.876543", extrasRemaining: "987654321098.765432" }) }),
      },
      { index: "2", idempotencyKey: "b3", status: "200", answer: expect.objectContaining({ units: "1.5", remaining: "999876543210985.376543", extrasRemaining: "987654321098.765432" }) },
    ]);

    const limits = await api.request("/api/v1/limitations", { key });
    expect(limits.status).toBe(200);
    const l = readExact(limits.text) as { entitlements: { feature: string }[]; extras: unknown };
    expect(l.entitlements.find((e) => e.feature === "compute")).toMatchObject({ limit: "999999999999999", used: "123456789013.623457", remaining: "999876543210985.376543" });
    expect(l.extras).toEqual({ balance: "987654321098.765432", usable: "987654321098.765432", expiringSoon: [{ remaining: "987654321098.765432", expiresAt: expect.any(String) }] });
    expect(typeof limits.json.extras.balance).toBe("number");
  });
});

describe("amounts sent as JSON numbers with more digits than a double holds", () => {
  it("are recorded, checked and answered as sent, in usage, check and batch", async () => {
    const { workspaceId, key } = await bigWorkspace();
    const headers = { "content-type": "application/json" };
    const used = await api.request("/api/v1/usage", { key, headers, raw: '{"feature":"compute","units":123456789012.123456,"idempotencyKey":"n1"}' });
    expect(used.status).toBe(200);
    expect(readExact(used.text)).toMatchObject({ units: "123456789012.123456", remaining: "999876543210986.876544" });
    // The same literal again is a replay of the same payload, not a conflict.
    const again = await api.request("/api/v1/usage", { key, headers, raw: '{"feature":"compute","units":123456789012.123456,"idempotencyKey":"n1"}' });
    expect(again.text).toBe(used.text);
    const check = await api.request("/api/v1/check", { key, headers, raw: '{"feature":"compute","units":100000000000.000001}' });
    expect(readExact(check.text)).toMatchObject({ allowed: true, units: "100000000000.000001" });
    const batch = await api.request("/api/v1/usage/batch", { key, headers, raw: '{"events":[{"feature":"compute","units":100000000000.000001,"idempotencyKey":"n2"}]}' });
    expect(readExact(batch.text)).toMatchObject({ results: [{ status: "200", answer: { units: "100000000000.000001" } }] });
    const events = await testDb().usageEvent.findMany({ where: { workspaceId }, orderBy: { idempotencyKey: "asc" } });
    expect(events.map((e) => e.units.toFixed())).toEqual(["123456789012.123456", "100000000000.000001"]);
    // Seven decimals is still refused, as a number or as a string.
    const seven = await api.request("/api/v1/usage", { key, headers, raw: '{"feature":"compute","units":1000000000.0000001,"idempotencyKey":"n3"}' });
    expect(seven.status).toBe(400);
  });
});

describe("actions named like Object.prototype members", () => {
  const actions = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"];

  it("are unknown actions: 400 invalid_request on usage and check, nothing written", async () => {
    const { workspaceId, key } = await bigWorkspace();
    for (const action of actions) {
      const r = await api.request("/api/v1/usage", { key, body: { feature: "compute", costs: { action }, idempotencyKey: `p-${action}` } });
      expect({ action, status: r.status, code: r.json?.error?.code, field: r.json?.error?.details?.field }).toEqual({ action, status: 400, code: "invalid_request", field: "costs.action" });
      const c = await api.request("/api/v1/check", { key, body: { feature: "compute", costs: { action } } });
      expect({ action, status: c.status, code: c.json?.error?.code }).toEqual({ action, status: 400, code: "invalid_request" });
    }
    const rows = await writtenRows(workspaceId);
    expect({ events: rows.events, used: rows.used }).toEqual({ events: 0, used: "0" });
  });

  it("in a batch, each is a 400 result of its own, the other events are recorded, the bad ones write nothing", async () => {
    const { workspaceId, key } = await bigWorkspace();
    const r = await api.request("/api/v1/usage/batch", {
      key,
      body: {
        events: [
          { feature: "compute", units: 2, idempotencyKey: "before" },
          ...actions.map((action) => ({ feature: "compute", costs: { action }, idempotencyKey: `p-${action}` })),
          { feature: "compute", costs: { action: "small" }, idempotencyKey: "after" },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(r.json.results.map((x: { status: number }) => x.status)).toEqual([200, 400, 400, 400, 400, 400, 200]);
    expect(r.json.results[1].error).toMatchObject({ code: "invalid_request", details: { field: "costs.action" } });
    expect({ accepted: r.json.accepted, refused: r.json.refused, failed: r.json.failed }).toEqual({ accepted: 2, refused: 0, failed: 5 });
    const rows = await writtenRows(workspaceId);
    expect({ events: rows.events, used: rows.used }).toEqual({ events: 2, used: "4" });
  });
});
