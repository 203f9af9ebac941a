// Item: two app instances on one PostgreSQL enforce one quota between them, exactly.
import { afterAll, describe, expect, it } from "vitest";
import { checkInvariants } from "@/lib/billing";
import { chaosDb, closeDb, createClient, instanceA, instanceB, seedWorkspace, statusCounts, written } from "./helpers";

const a = createClient(instanceA(), 64);
const b = createClient(instanceB(), 64);
afterAll(async () => {
  a.close();
  b.close();
  await closeDb();
});

describe("two instances, one database", () => {
  it("accepts exactly 100 of 1,000 concurrent usage requests split across both instances against a quota of 100", async () => {
    const db = chaosDb();
    const ws = await seedWorkspace(db, { compute: { limit: "100", overflow: "block" } });
    const replies = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        (i % 2 ? a : b).request("/api/v1/usage", { key: ws.key, body: { feature: "compute", units: 1, idempotencyKey: `two-${i}` } }),
      ),
    );
    expect(statusCounts(replies)).toEqual({ 200: 100, 402: 900 });
    // Both instances really served: each accepted some of the 100 (a one-instance fluke would not prove sharing).
    const acceptedBy = { a: replies.filter((r, i) => i % 2 && r.status === 200).length, b: replies.filter((r, i) => !(i % 2) && r.status === 200).length };
    expect(acceptedBy.a + acceptedBy.b).toBe(100);
    expect(acceptedBy.a).toBeGreaterThan(0);
    expect(acceptedBy.b).toBeGreaterThan(0);
    for (const r of replies.filter((r) => r.status === 402)) expect(r.json.error.code).toBe("quota_exhausted");
    expect(await written(db, ws.workspaceId)).toEqual({ events: 100, used: "100" });
    expect(await checkInvariants(db, { workspaceId: ws.workspaceId })).toEqual([]);
  });
});
