import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createPlatformKey, revokePlatformKey } from "@/lib/platform-keys";
import { defaultPlans, type PlanSpec } from "@/lib/billing/catalog";
import { publishPlan } from "@/lib/billing/plans";
import { createClient } from "./client";
import { api, baseUrl, clientIp, closeAll, seedWorkspace, testDb, uid, written } from "./helpers";

afterAll(closeAll);

const operator = { kind: "operator" as const, id: null, email: "ops@example.test" };

async function platformKey() {
  return testDb().$transaction((tx) => createPlatformKey(tx, operator, { name: `backend ${uid()}` }));
}

const post = (path: string, key: string, body: unknown, headers: Record<string, string> = {}) =>
  api.request(path, { key, body, headers: { "x-forwarded-for": clientIp(), ...headers } });
const get = (path: string, key: string) => api.request(path, { key, headers: { "x-forwarded-for": clientIp() } });

describe("platform keys", () => {
  it("reach any workspace by its externalId, on every workspace-scoped endpoint", async () => {
    const { secret } = await platformKey();
    const externalId = `org_${uid()}`;
    const created = await post("/api/v1/workspaces", secret, { externalId, name: "Acme" });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(created.json).toMatchObject({ externalId, name: "Acme", plan: { key: "free" }, status: "free" });

    const byExternal = await get(`/api/v1/workspaces/${encodeURIComponent(externalId)}`, secret);
    expect(byExternal.status).toBe(200);
    expect(byExternal.json).toEqual(created.json);
    expect((await get(`/api/v1/workspaces/${id}`, secret)).json).toEqual(created.json);

    const recorded = await post("/api/v1/usage", secret, { workspace: externalId, feature: "compute", units: 3, idempotencyKey: uid() });
    expect(recorded.status).toBe(200);
    expect(recorded.json.remaining).toBe(97);
    expect(await written(id)).toEqual({ events: 1, used: "3" });

    const check = await post("/api/v1/check", secret, { workspace: id, feature: "compute", units: 1 });
    expect(check.json).toMatchObject({ allowed: true, remaining: 97 });
    const batch = await post("/api/v1/usage/batch", secret, { workspace: externalId, events: [{ feature: "compute", units: 1, idempotencyKey: uid() }] });
    expect(batch.json.accepted).toBe(1);
    const limits = await get(`/api/v1/limitations?workspace=${encodeURIComponent(externalId)}`, secret);
    expect(limits.status).toBe(200);
    expect(limits.json.workspaceId).toBe(id);

    const renamed = await api.request(`/api/v1/workspaces/${externalId}`, { method: "PATCH", key: secret, body: { name: "Acme Inc" }, headers: { "x-forwarded-for": clientIp() } });
    expect(renamed.status).toBe(200);
    expect(renamed.json.name).toBe("Acme Inc");
    const audit = await testDb().auditLog.findMany({ where: { workspaceId: id }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => [a.action, a.actorKind])).toEqual([["workspace.provisioned", "api"], ["workspace.updated", "api"]]);
  });

  it("need `workspace` (400 workspace_required); an unknown one is 404; a revoked key is 401", async () => {
    const key = await platformKey();
    const missing = await post("/api/v1/usage", key.secret, { feature: "compute", units: 1, idempotencyKey: uid() });
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe("workspace_required");
    expect((await get("/api/v1/limitations", key.secret)).json.error.code).toBe("workspace_required");
    const unknown = await post("/api/v1/usage", key.secret, { workspace: `nobody_${uid()}`, feature: "compute", units: 1, idempotencyKey: uid() });
    expect(unknown.status).toBe(404);
    await testDb().$transaction((tx) => revokePlatformKey(tx, operator, { keyId: key.id }));
    const revoked = await post("/api/v1/workspaces", key.secret, { externalId: `org_${uid()}`, name: "Late" });
    expect(revoked.status).toBe(401);
  });

  it("a workspace key may rename its workspace but not set or clear its externalId (403), which stays the integrator's", async () => {
    const mine = await seedWorkspace();
    const externalId = `org_${uid()}`;
    await testDb().workspace.update({ where: { id: mine.workspaceId }, data: { externalId } });
    for (const body of [{ externalId: `org_${uid()}` }, { externalId: null }, { name: "Renamed", externalId: `org_${uid()}` }]) {
      const r = await api.request(`/api/v1/workspaces/${mine.workspaceId}`, { method: "PATCH", key: mine.key, body, headers: { "x-forwarded-for": clientIp() } });
      expect(r.status, JSON.stringify(body)).toBe(403);
      expect(r.json.error.code).toBe("forbidden");
    }
    const renamed = await api.request(`/api/v1/workspaces/${mine.workspaceId}`, { method: "PATCH", key: mine.key, body: { name: "Renamed" }, headers: { "x-forwarded-for": clientIp() } });
    expect(renamed.status).toBe(200);
    expect(await testDb().workspace.findUniqueOrThrow({ where: { id: mine.workspaceId }, select: { name: true, externalId: true } })).toEqual({ name: "Renamed", externalId });
  });

  it("a malformed path segment is 401 to a caller without a valid key, 400 to one with a key", async () => {
    const key = await platformKey();
    for (const [method, path, body] of [["GET", "/api/v1/workspaces/%E0%A4", undefined], ["PATCH", "/api/v1/workspaces/%E0%A4", { name: "x" }], ["POST", "/api/v1/workspaces/%E0%A4/portal-sessions", { returnUrl: `${baseUrl}/back` }]] as const) {
      const anonymous = await api.request(path, { method, body, headers: { "x-forwarded-for": clientIp() } });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      const keyed = await api.request(path, { method, body, key: key.secret, headers: { "x-forwarded-for": clientIp() } });
      expect(keyed.status, `${method} ${path}`).toBe(400);
      expect(keyed.json.error.details.field).toBe("ref");
    }
  });

  it("a name with an unpaired surrogate is 400, on provisioning and on a rename, and nothing is written", async () => {
    const key = await platformKey();
    const externalId = `org_${uid()}`;
    const provisioned = await post("/api/v1/workspaces", key.secret, { externalId, name: "A\ud800" });
    expect(provisioned.status).toBe(400);
    expect(provisioned.json.error.code).toBe("invalid_request");
    expect(await testDb().workspace.count({ where: { externalId } })).toBe(0);
    const mine = await seedWorkspace();
    const renamed = await api.request(`/api/v1/workspaces/${mine.workspaceId}`, { method: "PATCH", key: mine.key, body: { name: "\udc00" }, headers: { "x-forwarded-for": clientIp() } });
    expect(renamed.status).toBe(400);
    expect(renamed.json.error.code).toBe("invalid_request");
  });

  it("a workspace key naming another workspace gets 404, and nothing is written", async () => {
    const mine = await seedWorkspace();
    const other = await seedWorkspace();
    await testDb().workspace.update({ where: { id: other.workspaceId }, data: { externalId: `org_${uid()}` } });
    const { externalId } = await testDb().workspace.findUniqueOrThrow({ where: { id: other.workspaceId } });
    for (const ref of [other.workspaceId, externalId!]) {
      const usage = await post("/api/v1/usage", mine.key, { workspace: ref, feature: "compute", units: 1, idempotencyKey: uid() });
      expect(usage.status).toBe(404);
      expect(usage.json.error.code).toBe("not_found");
      expect((await post("/api/v1/check", mine.key, { workspace: ref, feature: "compute" })).status).toBe(404);
      expect((await get(`/api/v1/limitations?workspace=${ref}`, mine.key)).status).toBe(404);
      expect((await get(`/api/v1/workspaces/${ref}`, mine.key)).status).toBe(404);
      expect((await get(`/api/v1/events?workspace=${ref}`, mine.key)).status).toBe(404);
      expect((await post("/api/v1/gauges/projects/claim", mine.key, { workspace: ref, idempotencyKey: uid() })).status).toBe(404);
      expect((await post(`/api/v1/workspaces/${ref}/portal-sessions`, mine.key, { returnUrl: "https://app.integrator.test/" })).status).toBe(404);
    }
    expect(await written(other.workspaceId)).toEqual({ events: 0, used: "0" });
    expect(await written(mine.workspaceId)).toEqual({ events: 0, used: "0" });
    // Its own workspace, named or not, is fine; and it cannot provision.
    expect((await post("/api/v1/usage", mine.key, { workspace: mine.workspaceId, feature: "compute", units: 1, idempotencyKey: uid() })).status).toBe(200);
    expect((await get(`/api/v1/workspaces/${mine.workspaceId}`, mine.key)).status).toBe(200);
    const provision = await post("/api/v1/workspaces", mine.key, { externalId: `org_${uid()}`, name: "Nope" });
    expect(provision.status).toBe(403);
  });
});

describe("POST /api/v1/workspaces", () => {
  it("provisioning twice with one externalId (and ten times at once) gives one workspace and the same answer", async () => {
    const { secret } = await platformKey();
    const externalId = `org_${uid()}`;
    const body = { externalId, name: "Twice", ownerEmail: `owner-${uid()}@example.test`, plan: "starter", trial: true };
    const first = await post("/api/v1/workspaces", secret, body);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ status: "trialing", plan: { key: "starter" }, trialEndsAt: expect.any(String) });
    const again = await post("/api/v1/workspaces", secret, body);
    expect(again.status).toBe(first.status);
    expect(again.json).toEqual(first.json);
    const racing = `org_${uid()}`;
    const replies = await Promise.all(Array.from({ length: 10 }, () => post("/api/v1/workspaces", secret, { externalId: racing, name: "Race" })));
    expect(new Set(replies.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(replies.map((r) => r.text)).size).toBe(1);
    const db = testDb();
    expect(await db.workspace.count({ where: { externalId } })).toBe(1);
    expect(await db.workspace.count({ where: { externalId: racing } })).toBe(1);
    // The owner is invited once (never added silently), as an owner.
    const invitations = await db.invitation.findMany({ where: { workspaceId: first.json.id } });
    expect(invitations.map((i) => [i.email, i.role, i.status])).toEqual([[body.ownerEmail, "OWNER", "pending"]]);
    expect(await db.membership.count({ where: { workspaceId: first.json.id } })).toBe(0);
  });

  it("refuses bad input with 400 and writes nothing", async () => {
    const { secret } = await platformKey();
    const externalId = `org_${uid()}`;
    for (const body of [{ name: "No id" }, { externalId, name: "" }, { externalId, name: "x", plan: "pro" }, { externalId, name: "x", plan: "nope", trial: true }, { externalId, name: "x", extra: 1 }]) {
      const r = await post("/api/v1/workspaces", secret, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe("invalid_request");
    }
    expect(await testDb().workspace.count({ where: { externalId } })).toBe(0);
  });
});

describe("checkout, extras and portal sessions", () => {
  it("refuse redirect URLs off APP_URL's origin and ALLOWED_REDIRECT_ORIGINS with 400 invalid_redirect_url", async () => {
    const { secret } = await platformKey();
    const externalId = `org_${uid()}`;
    await post("/api/v1/workspaces", secret, { externalId, name: "Shop" });
    const good = "https://app.integrator.test/billing/done";
    const foreign = ["https://evil.example/steal", "https://app.integrator.test.evil.example/", "http://app.integrator.test/", "javascript:alert(1)", "/relative"];
    for (const bad of foreign) {
      const cases: [string, Record<string, unknown>, string][] = [
        ["checkout-sessions", { plan: "starter", interval: "month", successUrl: bad, cancelUrl: good }, "successUrl"],
        ["checkout-sessions", { plan: "starter", interval: "month", successUrl: good, cancelUrl: bad }, "cancelUrl"],
        ["extras/checkout-sessions", { pack: "compute_500", successUrl: bad, cancelUrl: good }, "successUrl"],
        ["portal-sessions", { returnUrl: bad }, "returnUrl"],
      ];
      for (const [path, body, field] of cases) {
        const r = await post(`/api/v1/workspaces/${externalId}/${path}`, secret, body);
        expect(r.status, `${path} ${bad}`).toBe(400);
        expect(r.json.error.code).toBe("invalid_redirect_url");
        expect(r.json.error.details.field).toBe(field);
      }
    }
    // Allowed origins pass the rule (this server's Stripe has no synced prices, so what follows is Stripe's part).
    const own = await post(`/api/v1/workspaces/${externalId}/checkout-sessions`, secret, { plan: "starter", interval: "month", successUrl: `${baseUrl}/done`, cancelUrl: `${baseUrl}/back` });
    expect(own.json.error?.code).not.toBe("invalid_redirect_url");
    const allowed = await post(`/api/v1/workspaces/${externalId}/checkout-sessions`, secret, { plan: "starter", interval: "month", successUrl: good, cancelUrl: good });
    expect(allowed.json.error?.code).not.toBe("invalid_redirect_url");
  });
});

describe("POST /api/v1/gauges/{feature}/claim", () => {
  it("1,000 concurrent claims of a gauge with limit 10 give exactly 10", async () => {
    const db = testDb();
    const base = defaultPlans[0]!;
    const spec: PlanSpec = { ...base, key: `gauge_${uid()}`, entitlements: base.entitlements.map((e) => (e.feature === "projects" ? { ...e, limit: "10" } : e)) };
    const { plan } = await publishPlan(db, spec);
    const { secret } = await platformKey();
    const externalId = `org_${uid()}`;
    const ws = await post("/api/v1/workspaces", secret, { externalId, name: "Gauges" });
    await db.subscription.update({ where: { workspaceId: ws.json.id }, data: { planId: plan.id } });
    const run = uid();
    // A pool of its own: no keep-alive socket left idle by the tests before (which the server may be closing) is reused.
    const burst = createClient(baseUrl, 128);
    const replies = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        burst.request("/api/v1/gauges/projects/claim", { key: secret, body: { workspace: externalId }, headers: { "idempotency-key": `${run}-${i}`, "x-forwarded-for": clientIp() } })),
    );
    burst.close();
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 402)).toHaveLength(990);
    for (const r of replies.filter((x) => x.status === 402)) expect(r.json.error.code).toBe("quota_exhausted");
    const window = await db.usageWindow.findFirstOrThrow({ where: { workspaceId: ws.json.id, feature: "projects" } });
    expect(window.used.toFixed()).toBe("10");

    // Releasing one frees one; a replayed release changes nothing.
    const release = await post("/api/v1/gauges/projects/release", secret, { workspace: externalId, idempotencyKey: `${run}-r` });
    expect(release.status).toBe(200);
    expect(release.json.remaining).toBe(1);
    expect((await post("/api/v1/gauges/projects/release", secret, { workspace: externalId, idempotencyKey: `${run}-r` })).json).toEqual(release.json);
    expect((await post("/api/v1/gauges/projects/claim", secret, { workspace: externalId, idempotencyKey: `${run}-c` })).status).toBe(200);
    expect((await post("/api/v1/gauges/projects/claim", secret, { workspace: externalId, idempotencyKey: `${run}-d` })).status).toBe(402);
    // Without a key: 400, nothing claimed.
    expect((await post("/api/v1/gauges/projects/claim", secret, { workspace: externalId })).status).toBe(400);
  });
});

describe("GET /api/v1/events", () => {
  it("lists the workspace's usage events newest first, by feature and time, a cursor page at a time", async () => {
    const { key, workspaceId } = await seedWorkspace();
    const keys = [uid(), uid(), uid()];
    for (const k of keys) expect((await post("/api/v1/usage", key, { feature: "compute", units: "1.5", idempotencyKey: k })).status).toBe(200);
    expect((await post("/api/v1/usage", key, { feature: "api_calls", units: 2, idempotencyKey: uid() })).status).toBe(200);
    const first = await get("/api/v1/events?feature=compute&limit=2", key);
    expect(first.status).toBe(200);
    expect(first.json.data.map((e: { idempotencyKey: string }) => e.idempotencyKey)).toEqual([keys[2], keys[1]]);
    expect(first.json.data[0]).toMatchObject({ feature: "compute", units: 1.5, metadata: null });
    const second = await get(`/api/v1/events?feature=compute&limit=2&cursor=${first.json.nextCursor}`, key);
    expect(second.json.data.map((e: { idempotencyKey: string }) => e.idempotencyKey)).toEqual([keys[0]]);
    expect(second.json.nextCursor).toBeNull();
    const all = await get("/api/v1/events", key);
    expect(all.json.data.map((e: { feature: string }) => e.feature)).toEqual(["api_calls", "compute", "compute", "compute"]);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await get(`/api/v1/events?from=${encodeURIComponent(future)}`, key)).json.data).toHaveLength(0);
    expect((await get("/api/v1/events?from=yesterday", key)).status).toBe(400);
    expect((await get("/api/v1/events?cursor=bogus", key)).status).toBe(400);
    expect(await testDb().usageEvent.count({ where: { workspaceId } })).toBe(4);
  });
});

describe("an Idempotency-Key header", () => {
  it("must be what the route's idempotencyKey field accepts: 400 naming the header, and nothing written", async () => {
    const { secret } = await platformKey();
    const externalId = `org_${uid()}`;
    await post("/api/v1/workspaces", secret, { externalId, name: "Keys" });
    // Random, so PostgreSQL cannot compress it under its index's row size: this key once failed the insert as a 500.
    const url = `https://hooks-${uid()}.example.test/tally`;
    const hook = await post("/api/v1/webhook-endpoints", secret, { url }, { "idempotency-key": randomBytes(6000).toString("base64url") });
    expect([hook.status, hook.json.error?.code]).toEqual([400, "invalid_request"]);
    expect(hook.json.error.message).toMatch(/^Idempotency-Key: /);
    expect(await testDb().webhookEndpoint.count({ where: { url } })).toBe(0);
    // A Checkout session's key goes into Stripe's: the header is held to the body's rule, and said so.
    const session = { plan: "starter", interval: "month", successUrl: `${baseUrl}/done`, cancelUrl: `${baseUrl}/back` };
    const short = await post(`/api/v1/workspaces/${externalId}/checkout-sessions`, secret, session, { "idempotency-key": "abc" });
    expect([short.status, short.json.error?.code, short.json.error?.message]).toEqual([400, "invalid_request", "Idempotency-Key: must be 8 to 80 letters, digits, _ or -."]);
  });
});
