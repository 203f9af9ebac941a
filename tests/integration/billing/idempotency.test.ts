import { afterAll, describe, expect, it } from "vitest";
import { recordUsage, topupExtras } from "@/lib/billing";
import { closeTestDb, expectBooksHold, fastTestDb, seedWorkspace, settle, testDb, uid, writtenRows } from "./helpers";

afterAll(closeTestDb);

const silent = { notifier: { async send() {} } };

describe.each([
  ["through Prisma", testDb],
  ["through the attached pg pool", fastTestDb],
])("idempotency (%s)", (_, client) => {
  it("one key sent 50 times in parallel: one effect and 50 identical answers", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    await recordUsage(client(), { workspaceId, feature: "compute", units: 10, idempotencyKey: `open-${uid()}` }, silent);
    const key = `run-${uid()}`;
    const input = { workspaceId, feature: "compute", units: "2.5", idempotencyKey: key, metadata: { job: "export", pages: 3 } };
    const { ok, codes } = await settle(Array.from({ length: 50 }, () => recordUsage(client(), input, silent)));
    expect(codes).toEqual([]);
    expect(ok).toHaveLength(50);
    for (const a of ok) expect(JSON.stringify(a)).toBe(JSON.stringify(ok[0]));
    expect(ok[0]).toMatchObject({ allowed: true, feature: "compute", units: "2.5", remaining: "87.5" });
    expect(await testDb().usageEvent.count({ where: { workspaceId, idempotencyKey: key } })).toBe(1);
    const w = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" } });
    expect(w.used.toFixed()).toBe("12.5");
    await expectBooksHold(workspaceId);
  });

  it("the same key with a different payload is a conflict and writes nothing", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    const key = `k-${uid()}`;
    const first = await recordUsage(client(), { workspaceId, feature: "compute", units: 4, idempotencyKey: key }, silent);
    const before = await writtenRows(workspaceId);
    for (const other of [{ units: 5 }, { units: 4, metadata: { a: 1 } }, { costs: { dollars: "0.04" } }]) {
      await expect(recordUsage(client(), { workspaceId, feature: "compute", idempotencyKey: key, ...other }, silent)).rejects.toMatchObject({
        code: "idempotency_conflict",
      });
    }
    // 20 conflicting requests at once: still nothing written.
    const { codes } = await settle(
      Array.from({ length: 20 }, (_, i) => recordUsage(client(), { workspaceId, feature: "compute", units: 6 + i, idempotencyKey: key }, silent)),
    );
    expect(codes).toEqual(Array(20).fill("idempotency_conflict"));
    expect(await writtenRows(workspaceId)).toEqual(before);
    // The original request still replays its first answer.
    expect(await recordUsage(client(), { workspaceId, feature: "compute", units: 4, idempotencyKey: key }, silent)).toEqual(first);
    await expectBooksHold(workspaceId);
  });

  it("a replay after the quota ran out returns the first answer, not a refusal", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "10", overflow: "block" } });
    const first = await recordUsage(client(), { workspaceId, feature: "compute", units: 10, idempotencyKey: "all-of-it" }, silent);
    expect(first.remaining).toBe("0");
    await expect(recordUsage(client(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "more" }, silent)).rejects.toMatchObject({
      code: "quota_exhausted",
    });
    expect(await recordUsage(client(), { workspaceId, feature: "compute", units: 10, idempotencyKey: "all-of-it" }, silent)).toEqual(first);
    await expectBooksHold(workspaceId);
  });

  it("a key replayed in parallel past the quota debits extras once", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "5", overflow: "extras" } });
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 100, checkoutSessionId: `cs_${uid()}` });
    const input = { workspaceId, feature: "compute", units: 8, idempotencyKey: "big-run" };
    const { ok, codes } = await settle(Array.from({ length: 30 }, () => recordUsage(client(), input, silent)));
    expect([ok.length, codes.length]).toEqual([30, 0]);
    for (const a of ok) expect(a).toEqual(ok[0]);
    expect(ok[0]).toMatchObject({ remaining: "0", extrasRemaining: "97" });
    const debits = await testDb().ledgerEntry.findMany({ where: { workspaceId, kind: "debit" } });
    expect(debits.map((d) => d.units.toFixed())).toEqual(["-3"]);
    await expectBooksHold(workspaceId);
  });
});

describe("inside a caller's transaction", () => {
  it("records with the caller's writes, replays within it, and rolls back with it", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    const first = await testDb().$transaction(async (tx) => {
      const a = await recordUsage(tx, { workspaceId, feature: "compute", units: 3, idempotencyKey: "in-tx" }, silent);
      expect(await recordUsage(tx, { workspaceId, feature: "compute", units: 3, idempotencyKey: "in-tx" }, silent)).toEqual(a);
      await expect(recordUsage(tx, { workspaceId, feature: "compute", units: 4, idempotencyKey: "in-tx" }, silent)).rejects.toMatchObject({
        code: "idempotency_conflict",
      });
      return a;
    });
    expect(first.remaining).toBe("97");
    await expect(
      testDb().$transaction(async (tx) => {
        await recordUsage(tx, { workspaceId, feature: "compute", units: 50, idempotencyKey: "rolled-back" }, silent);
        throw new Error("the caller failed");
      }),
    ).rejects.toThrow("the caller failed");
    expect(await testDb().usageEvent.count({ where: { workspaceId } })).toBe(1);
    const w = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" } });
    expect(w.used.toFixed()).toBe("3");
    await expectBooksHold(workspaceId);
  });
});
