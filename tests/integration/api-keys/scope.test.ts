import { afterAll, describe, expect, it } from "vitest";
import { apiKeyScope, createApiKey, FAILURE_LIMIT, revokeApiKey } from "@/lib/api-keys";
import { checkUsage, recordUsage } from "@/lib/billing";
import { closeTestDb, count, seedWorkspace, settle, testDb, writtenRows } from "../billing/helpers";

afterAll(closeTestDb);

const silent = { notifier: { async send() {} } };
const client = () => `scope-${crypto.randomUUID()}`;
const scopeOf = (secret: string | null, clientKey = client()) => apiKeyScope(testDb(), { secret, clientKey });
const failuresOf = async (clientKey: string) =>
  (await testDb().authFailure.findMany({ where: { clientKey: `api:${clientKey}` } })).reduce((s, f) => s + f.count, 0);

// The metering API hands the engine the request's key instead of a workspace id: the engine's first
// statement checks the key and does the work in the same round trip.
describe("a workspace named by its API key", () => {
  it("records in the key's workspace and knows who it was", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "10", overflow: "block" } });
    const key = await createApiKey(testDb(), { workspaceId, name: "k" });
    const scope = scopeOf(key.secret);
    const answer = await recordUsage(testDb(), { workspaceId: scope, feature: "compute", units: 3, idempotencyKey: "a" }, silent);
    expect(answer).toMatchObject({ allowed: true, units: "3", remaining: "7" });
    expect(scope.principal).toEqual({ keyId: key.id, workspaceId });
    expect(await checkUsage(testDb(), { workspaceId: scopeOf(key.secret), feature: "compute", units: 8 })).toMatchObject({ allowed: false, remaining: "7" });
    expect((await writtenRows(workspaceId)).used).toBe("3");
    // Costs are priced in the key's workspace too (the first statement is then the pricing one).
    const priced = await recordUsage(testDb(), { workspaceId: scopeOf(key.secret), feature: "compute", costs: { action: "small" }, idempotencyKey: "c" }, silent);
    expect(priced.allowed).toBe(true);
  });

  it("a revoked, unknown or missing key writes nothing and counts a failure", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "10", overflow: "block" } });
    const key = await createApiKey(testDb(), { workspaceId, name: "k" });
    await recordUsage(testDb(), { workspaceId: scopeOf(key.secret), feature: "compute", units: 1, idempotencyKey: "before" }, silent);
    const before = await writtenRows(workspaceId);
    await revokeApiKey(testDb(), { workspaceId, keyId: key.id });
    for (const secret of [key.secret, `tk_live_00000000_${"C".repeat(43)}`, "garbage", null]) {
      const who = client();
      const scope = scopeOf(secret, who);
      const r = await settle([
        recordUsage(testDb(), { workspaceId: scope, feature: "compute", units: 1, idempotencyKey: `after-${secret}` }, silent),
        checkUsage(testDb(), { workspaceId: scopeOf(secret, who), feature: "compute" }),
      ]);
      expect(r.codes).toEqual(["unauthorized", "unauthorized"]);
      expect(scope.principal).toBeUndefined();
      expect(await failuresOf(who)).toBe(2);
    }
    expect(await writtenRows(workspaceId)).toEqual(before);
  });

  it("a client over its failure limit is refused for bad keys and nothing is written, but a good key is still served", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "10", overflow: "block" } });
    const key = await createApiKey(testDb(), { workspaceId, name: "k" });
    const who = client();
    const bad = `tk_live_00000000_${"D".repeat(43)}`;
    for (let i = 0; i < FAILURE_LIMIT; i++) await checkUsage(testDb(), { workspaceId: scopeOf(bad, who), feature: "compute" }).catch(() => undefined);
    const refused = await settle([recordUsage(testDb(), { workspaceId: scopeOf(bad, who), feature: "compute", units: 1, idempotencyKey: "x" }, silent)]);
    expect(refused.codes).toEqual(["rate_limited"]);
    expect(await writtenRows(workspaceId)).toMatchObject({ events: 0, used: "0" });
    // The count is per address, which others may share: the holder of a good key is never refused by it.
    expect((await recordUsage(testDb(), { workspaceId: scopeOf(key.secret, who), feature: "compute", units: 1, idempotencyKey: "y" }, silent)).allowed).toBe(true);
  });

  it("400 parallel recordings through two keys of one workspace against a quota of 150: exactly 150", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "150", overflow: "block" } });
    const keys = [await createApiKey(testDb(), { workspaceId, name: "a" }), await createApiKey(testDb(), { workspaceId, name: "b" })];
    const { ok, codes } = await settle(
      Array.from({ length: 400 }, (_, i) =>
        recordUsage(testDb(), { workspaceId: scopeOf(keys[i % 2]!.secret), feature: "compute", units: 1, idempotencyKey: `p-${i}` }, silent),
      ),
    );
    expect(ok).toHaveLength(150);
    expect(count(codes, "quota_exhausted")).toBe(250);
    expect(ok.map((a) => Number(a.remaining)).sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(await writtenRows(workspaceId)).toMatchObject({ events: 150, used: "150" });
  });

  it("replays through the key answer as the first time, 50 at once", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    const key = await createApiKey(testDb(), { workspaceId, name: "k" });
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => recordUsage(testDb(), { workspaceId: scopeOf(key.secret), feature: "compute", units: 2, idempotencyKey: "same" }, silent)),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await writtenRows(workspaceId)).toMatchObject({ events: 1, used: "2" });
    const conflict = await settle([recordUsage(testDb(), { workspaceId: scopeOf(key.secret), feature: "compute", units: 3, idempotencyKey: "same" }, silent)]);
    expect(conflict.codes).toEqual(["idempotency_conflict"]);
  });
});
