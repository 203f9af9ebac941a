import { afterAll, describe, expect, it } from "vitest";
import { TallyApiError } from "@tally/client";
import { closeAll, seedWorkspace, tallyClient, testDb, written } from "./helpers";

afterAll(closeAll);

const HOUR = 3_600_000;
const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof TallyApiError ? [e.status, e.code] : e));

/**
 * A workspace whose weekly windows run from a period that began 12 hours ago: what happened 13 hours ago
 * belongs to the week before, a window that has since rolled over.
 */
async function rolledOver() {
  const { workspaceId, key } = await seedWorkspace({ compute: { limit: "10", overflow: "block", period: "week" } });
  const start = new Date(Date.now() - 12 * HOUR);
  await testDb().subscription.update({
    where: { workspaceId },
    data: { periodAnchor: start, currentPeriodStart: start, currentPeriodEnd: new Date(start.getTime() + 30 * 24 * HOUR) },
  });
  return { workspaceId, tally: tallyClient(key), start };
}

describe("backdated usage events", () => {
  it("land in the earlier window they happened in and are decided against its quota", async () => {
    const { workspaceId, tally, start } = await rolledOver();
    expect(await tally.recordUsage({ feature: "compute", units: 4 })).toMatchObject({ remaining: 6 });

    const at = new Date(Date.now() - 13 * HOUR).toISOString();
    const late = await tally.recordUsage({ feature: "compute", units: 9, timestamp: at });
    // Counted in last week's window (1 of 10 left there, which ended when this period began), not this one.
    expect(late).toMatchObject({ allowed: true, units: 9, remaining: 1, resetsAt: start.toISOString() });
    expect(await refusal(tally.recordUsage({ feature: "compute", units: 2, timestamp: at }))).toEqual([402, "quota_exhausted"]);
    expect(await tally.check({ feature: "compute", units: 6 })).toMatchObject({ allowed: true, remaining: 6 });

    const windows = await testDb().usageWindow.findMany({ where: { workspaceId, feature: "compute" }, orderBy: { periodStart: "asc" } });
    expect(windows.map((w) => [w.periodEnd.toISOString(), w.used.toFixed()])).toEqual([
      [start.toISOString(), "9"],
      [windows[1]!.periodEnd.toISOString(), "4"],
    ]);
    // The events list dates it when it happened; createdAt says when Tally heard of it.
    const { data } = await tally.listEvents({ feature: "compute" });
    const event = data.find((e) => e.units === 9)!;
    expect(event.timestamp).toBe(at);
    expect(Date.parse(event.createdAt)).toBeGreaterThan(Date.parse(at) + 12 * HOUR);
    // Batches place each event by its own time.
    const batch = await tally.recordUsageBatch([
      { feature: "compute", units: 1, timestamp: at },
      { feature: "compute", units: 1 },
    ]);
    expect(batch.results.map((r) => r.answer?.remaining)).toEqual([0, 5]);
  });

  it("older than the 24-hour grace period, or in the future, is 400 invalid_timestamp and writes nothing", async () => {
    const { workspaceId, tally } = await rolledOver();
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    expect(await refusal(tally.recordUsage({ feature: "compute", units: 1, timestamp: at(-25 * HOUR) }))).toEqual([400, "invalid_timestamp"]);
    expect(await refusal(tally.recordUsage({ feature: "compute", units: 1, timestamp: at(10 * 60_000) }))).toEqual([400, "invalid_timestamp"]);
    expect(await refusal(tally.recordUsage({ feature: "compute", units: 1, timestamp: "last tuesday" }))).toEqual([400, "invalid_timestamp"]);
    const batch = await tally.recordUsageBatch([{ feature: "compute", units: 1, timestamp: at(-25 * HOUR) }]);
    expect(batch).toMatchObject({ accepted: 0, failed: 1, results: [{ status: 400, error: { code: "invalid_timestamp" } }] });
    expect(await written(workspaceId)).toEqual({ events: 0, used: "0" });
  });
});
