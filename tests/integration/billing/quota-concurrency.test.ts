import { afterAll, describe, expect, it } from "vitest";
import { recordUsage, topupExtras, extrasBalance } from "@/lib/billing";
import { closeTestDb, count, expectBooksHold, seedWorkspace, settle, testDb, uid } from "./helpers";

afterAll(closeTestDb);

const silent = { notifier: { async send() {} } };

describe("quotas under concurrency", () => {
  it("500 parallel recordings of 1 unit against a quota of 100: exactly 100 accepted, 400 refused", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    const run = uid();
    const { ok, codes } = await settle(
      Array.from({ length: 500 }, (_, i) =>
        recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: `${run}-${i}` }, silent),
      ),
    );
    expect(ok).toHaveLength(100);
    expect(count(codes, "quota_exhausted")).toBe(400);
    expect(codes).toHaveLength(400);
    const windows = await testDb().usageWindow.findMany({ where: { workspaceId, feature: "compute" } });
    expect(windows).toHaveLength(1);
    expect(windows[0]!.used.toFixed()).toBe("100");
    expect(await testDb().usageEvent.count({ where: { workspaceId } })).toBe(100);
    // Each answer saw its own remaining: 99 down to 0, each exactly once.
    expect(ok.map((a) => Number(a.remaining)).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await expectBooksHold(workspaceId);
  });

  it("with 50 extras and overflow = extras: exactly 150 accepted and extras at 0", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "100", overflow: "extras" } });
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 50, checkoutSessionId: `cs_${uid()}` });
    const run = uid();
    const { ok, codes } = await settle(
      Array.from({ length: 500 }, (_, i) =>
        recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: `${run}-${i}` }, silent),
      ),
    );
    expect(ok).toHaveLength(150);
    expect(count(codes, "quota_exhausted")).toBe(350);
    expect(await extrasBalance(testDb(), workspaceId)).toEqual({ balance: "0", usable: "0" });
    const window = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" } });
    expect(window.used.toFixed()).toBe("100");
    const events = await testDb().usageEvent.findMany({ where: { workspaceId } });
    expect(events).toHaveLength(150);
    expect(events.filter((e) => e.extrasUnits.eq(1))).toHaveLength(50);
    expect(events.filter((e) => e.quotaUnits.eq(1))).toHaveLength(100);
    const debits = await testDb().ledgerEntry.findMany({ where: { workspaceId, kind: "debit" } });
    expect(debits).toHaveLength(50);
    await expectBooksHold(workspaceId);
  });

  it("splits one recording between the rest of the quota and extras", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "10", overflow: "extras" } });
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: "5.5", checkoutSessionId: `cs_${uid()}` });
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: "7", idempotencyKey: "a" }, silent);
    const answer = await recordUsage(testDb(), { workspaceId, feature: "compute", units: "8.25", idempotencyKey: "b" }, silent);
    expect(answer).toMatchObject({ allowed: true, units: "8.25", remaining: "0", extrasRemaining: "0.25" });
    const ev = await testDb().usageEvent.findFirstOrThrow({ where: { workspaceId, idempotencyKey: "b" } });
    expect([ev.quotaUnits.toFixed(), ev.extrasUnits.toFixed()]).toEqual(["3", "5.25"]);
    await expect(
      recordUsage(testDb(), { workspaceId, feature: "compute", units: "0.26", idempotencyKey: "c" }, silent),
    ).rejects.toMatchObject({ code: "quota_exhausted", details: { remaining: "0", extrasRemaining: "0.25" } });
    await expectBooksHold(workspaceId);
  });

  it("soft overflow accepts beyond the quota and says nothing is left", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "100", overflow: "soft" } });
    const run = uid();
    const { ok, codes } = await settle(
      Array.from({ length: 150 }, (_, i) =>
        recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: `${run}-${i}` }, silent),
      ),
    );
    expect([ok.length, codes.length]).toEqual([150, 0]);
    const window = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" } });
    expect(window.used.toFixed()).toBe("150");
    expect(ok.filter((a) => a.remaining === "0")).toHaveLength(51);
    await expectBooksHold(workspaceId);
  });

  it("unlimited features accept everything and answer remaining null", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: null, overflow: "block" } });
    const a = await recordUsage(testDb(), { workspaceId, feature: "compute", units: "123456789.123456", idempotencyKey: "x" }, silent);
    expect(a).toMatchObject({ allowed: true, remaining: null, units: "123456789.123456" });
    await expectBooksHold(workspaceId);
  });
});
