// The events list of the public API (GET /api/v1/events) at the domain: keyset pages newest first, by
// feature and time, and each page read from its cursor however long the workspace's history.
import { afterAll, describe, expect, it } from "vitest";
import { recordUsage } from "@/lib/billing";
import { listUsageEvents } from "@/lib/platform/events";
import { recordingDb, tableReads } from "../../helpers/query-plans";
import { removeWorkspace } from "../../setup/books";
import { closeViewsDb, newWorkspace, uid, viewsDb } from "../billing-views/helpers";

const recorder = recordingDb();
afterAll(async () => {
  await recorder.close();
  await closeViewsDb();
});

const silent = { notifier: { async send() {} } };
/** Records one unit of `feature` and returns the event's idempotency key. */
async function record(workspaceId: string, feature: string, at?: Date) {
  const idempotencyKey = `e-${uid()}`;
  await recordUsage(viewsDb(), { workspaceId, feature, units: "1", idempotencyKey, now: at }, silent);
  return idempotencyKey;
}

async function allPages(query: Omit<Parameters<typeof listUsageEvents>[1], "cursor">) {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listUsageEvents(viewsDb(), { ...query, cursor });
    ids.push(...page.data.map((e) => e.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

const newestFirst = async (workspaceId: string, feature?: string) =>
  (await viewsDb().usageEvent.findMany({ where: { workspaceId, feature }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true } })).map((e) => e.id);

describe("listUsageEvents", () => {
  it("walks every event once, newest first, of one feature or all, within a time range", async () => {
    const ws = await newWorkspace("events");
    const t0 = new Date("2026-11-16T10:00:00.000Z");
    // Three events to a timestamp, so the id tie-breaker decides within each.
    for (let i = 0; i < 12; i++) await record(ws.id, i % 4 === 0 ? "api_calls" : "compute", new Date(t0.getTime() + Math.floor(i / 3) * 1000));
    expect(await allPages({ workspaceId: ws.id, limit: 2 })).toEqual(await newestFirst(ws.id));
    expect(await allPages({ workspaceId: ws.id, feature: "compute", limit: 2 })).toEqual(await newestFirst(ws.id, "compute"));
    expect(await allPages({ workspaceId: ws.id, feature: "api_calls", limit: 5 })).toEqual(await newestFirst(ws.id, "api_calls"));
    expect(await allPages({ workspaceId: ws.id, feature: "projects", limit: 2 })).toEqual([]);
    const ranged = await allPages({ workspaceId: ws.id, from: new Date(t0.getTime() + 1000), to: new Date(t0.getTime() + 3000), limit: 4 });
    expect(ranged).toEqual((await newestFirst(ws.id)).slice(3, 9));
  });

  it("reads a deep page, and a rarely used feature's page, from the index instead of the whole history", async () => {
    const ws = await newWorkspace("long-events");
    await record(ws.id, "compute");
    const idempotencyKey = await record(ws.id, "api_calls");
    const { windowId, createdAt } = await viewsDb().usageEvent.findUniqueOrThrow({ where: { workspaceId_idempotencyKey: { workspaceId: ws.id, idempotencyKey } } });
    // 20,000 later api_calls events (8 to a millisecond, in their window), and statistics that know them.
    await viewsDb().$executeRaw`
      INSERT INTO "UsageEvent" (id, "workspaceId", feature, "windowId", units, "quotaUnits", "idempotencyKey", "requestHash", response, "createdAt")
      SELECT 'hist-' || ${ws.id} || '-' || g, ${ws.id}, 'api_calls', ${windowId}, 0, 0, 'hist-' || g, 'h', '{}'::jsonb,
             ${createdAt}::timestamp + ((g / 8) || ' milliseconds')::interval
      FROM generate_series(1, 20000) g`;
    await viewsDb().$executeRawUnsafe(`ANALYZE "UsageEvent"`);
    try {
      const { nextCursor } = await listUsageEvents(viewsDb(), { workspaceId: ws.id, limit: 10_000 });
      const deep = { workspaceId: ws.id, cursor: nextCursor!, limit: 25 };
      expect((await listUsageEvents(viewsDb(), deep)).data.map((e) => e.id)).toEqual((await newestFirst(ws.id)).slice(10_000, 10_025));
      const rare = { workspaceId: ws.id, feature: "compute", limit: 25 };
      expect((await listUsageEvents(viewsDb(), rare)).data.map((e) => e.id)).toEqual(await newestFirst(ws.id, "compute"));

      for (const query of [deep, rare]) {
        const reads = await tableReads(recorder, "UsageEvent", (db) => listUsageEvents(db, query));
        expect(reads).toHaveLength(1);
        // About a page of rows, where reading from the newest event would pass 10,000 (or all 20,000).
        for (const r of reads) expect(r.scans.reduce((n, s) => n + s.rows, 0), r.text).toBeLessThan(200);
      }
    } finally {
      // The history would weigh on every later reader of this database (crons, the invariant checks).
      await removeWorkspace(viewsDb(), ws.id);
    }
  });
});
