import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db";
import { claimGauge, limitations, meteredAction, recordUsage, releaseGauge, topupExtras } from "@/lib/billing";
import { closeTestDb, count, expectBooksHold, seedWorkspace, settle, testDb, uid } from "./helpers";

afterAll(closeTestDb);

// Side effects (threshold mail) finish inside each call, so none is still using the pool when afterAll closes it.
const silent = { notifier: { async send() {} }, waitForSideEffects: true };

describe("gauges", () => {
  it("claims are the same atomic check against the limit; releases give them back", async () => {
    const { workspaceId } = await seedWorkspace({ limits: { seats: "3" } });
    const run = uid();
    const { ok, codes } = await settle(Array.from({ length: 20 }, (_, i) => claimGauge(testDb(), { workspaceId, feature: "seats", idempotencyKey: `${run}-${i}` }, silent)));
    expect([ok.length, count(codes, "quota_exhausted")]).toEqual([3, 17]);
    expect(await releaseGauge(testDb(), { workspaceId, feature: "seats", idempotencyKey: "release-1" }, silent)).toMatchObject({ remaining: "1", resetsAt: null });
    expect(await claimGauge(testDb(), { workspaceId, feature: "seats", idempotencyKey: "again" }, silent)).toMatchObject({ remaining: "0" });
    await releaseGauge(testDb(), { workspaceId, feature: "seats", units: 3, idempotencyKey: "release-all" }, silent);
    await expect(releaseGauge(testDb(), { workspaceId, feature: "seats", idempotencyKey: "release-more" }, silent)).rejects.toMatchObject({ code: "invalid_request" });
    await expect(claimGauge(testDb(), { workspaceId, feature: "seats", units: 1.5, idempotencyKey: "half" }, silent)).rejects.toMatchObject({ code: "invalid_request" });
    const w = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "seats" } });
    expect([w.kind, w.used.toFixed()]).toEqual(["gauge", "0"]);
    expect(await testDb().thresholdMark.count({ where: { workspaceId } })).toBe(0);
    await expectBooksHold(workspaceId);
  });
});

describe("limitations", () => {
  it("lists plan, status, every entitlement with used/limit/remaining/resetsAt, and the extras", async () => {
    const { workspaceId, planKey } = await seedWorkspace({ compute: { limit: "100", overflow: "extras", period: "week" } });
    const now = new Date("2026-11-18T12:00:00.000Z");
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: "37.5", idempotencyKey: "a", now }, silent);
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 20, checkoutSessionId: `cs_${uid()}`, expiresAt: new Date("2026-12-01T00:00:00.000Z"), now });
    const l = await limitations(testDb(), workspaceId, now);
    expect(l.plan).toMatchObject({ key: planKey, version: 1 });
    expect(l.status).toBe("active");
    expect(l.entitlements).toEqual([
      { feature: "api_calls", kind: "meter", period: "month", overflow: "soft", limit: "1000", used: "0", remaining: "1000", resetsAt: "2026-12-01T00:00:00.000Z" },
      { feature: "compute", kind: "meter", period: "week", overflow: "extras", limit: "100", used: "37.5", remaining: "62.5", resetsAt: "2026-11-23T00:00:00.000Z" },
      { feature: "projects", kind: "gauge", period: "lifetime", overflow: "block", limit: "1", used: "0", remaining: "1", resetsAt: null },
      { feature: "seats", kind: "gauge", period: "lifetime", overflow: "block", limit: "1", used: "0", remaining: "1", resetsAt: null },
    ]);
    expect(l.extras.balance).toBe("20");
    expect(l.extras.expiringSoon).toHaveLength(1);
  });
});

describe("meteredAction (in-app helper)", () => {
  it("checks, runs the action, records on success; refuses before running when over quota", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "5", overflow: "block" } });
    let runs = 0;
    const ok = await meteredAction(testDb(), { workspaceId, feature: "compute", units: 4, idempotencyKey: "a" }, async () => ++runs, silent);
    expect([ok.result, ok.usage.remaining]).toEqual([1, "1"]);
    await expect(meteredAction(testDb(), { workspaceId, feature: "compute", units: 2, idempotencyKey: "b" }, async () => ++runs, silent)).rejects.toMatchObject({
      code: "quota_exhausted",
    });
    await expect(
      meteredAction(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "c" }, async () => {
        throw new Error("the action failed");
      }, silent),
    ).rejects.toThrow("the action failed");
    expect(runs).toBe(1);
    expect(await testDb().usageEvent.count({ where: { workspaceId } })).toBe(1);
    await expectBooksHold(workspaceId);
  });

  it("fails closed when billing state cannot be read", async () => {
    const unreachable = createDb("postgresql://postgres@127.0.0.1:1/nothing", 1);
    let ran = false;
    await expect(
      meteredAction(unreachable, { workspaceId: "w", feature: "compute", units: 1, idempotencyKey: "x" }, async () => {
        ran = true;
      }),
    ).rejects.toMatchObject({ code: "billing_unavailable" });
    expect(ran).toBe(false);
    await unreachable.$disconnect();
  });
});
