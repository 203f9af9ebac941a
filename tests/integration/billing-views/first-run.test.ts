import { afterAll, describe, expect, it } from "vitest";
import { claimGauge, recordUsage } from "@/lib/billing";
import { createApiKey, revokeApiKey } from "@/lib/api-keys";
import { firstRunDone, firstRunState, MAIN_METER } from "@/lib/billing-views/first-run";
import { removeWorkspace } from "../../setup/books";
import { recordingDb, tableReads } from "../../helpers/query-plans";
import { closeViewsDb, newWorkspace, uid, viewsDb } from "./helpers";

const recorder = recordingDb();
afterAll(async () => {
  await recorder.close();
  await closeViewsDb();
});

const silent = { notifier: { async send() {} } };
const record = (workspaceId: string, feature: string, units: string) => recordUsage(viewsDb(), { workspaceId, feature, units, idempotencyKey: `e-${uid()}` }, silent);

describe("first-run checklist state", () => {
  it("ticks from what exists: a working key, a metered event, a compute event; the owner's seat claim is not an event", async () => {
    const ws = await newWorkspace("first-run");
    await claimGauge(viewsDb(), { workspaceId: ws.id, feature: "seats", idempotencyKey: `seat-${uid()}` });
    expect(await firstRunState(viewsDb(), ws.id)).toEqual({ hasKey: false, hasEvent: false, hasMainMeterEvent: false });

    const key = await createApiKey(viewsDb(), { workspaceId: ws.id, name: "k" });
    await revokeApiKey(viewsDb(), { workspaceId: ws.id, keyId: key.id });
    expect((await firstRunState(viewsDb(), ws.id)).hasKey).toBe(false);
    await createApiKey(viewsDb(), { workspaceId: ws.id, name: "k2" });
    expect(await firstRunState(viewsDb(), ws.id)).toEqual({ hasKey: true, hasEvent: false, hasMainMeterEvent: false });

    await record(ws.id, "api_calls", "1");
    expect(await firstRunState(viewsDb(), ws.id)).toEqual({ hasKey: true, hasEvent: true, hasMainMeterEvent: false });
    await record(ws.id, "compute", "1");
    const done = await firstRunState(viewsDb(), ws.id);
    expect(done).toEqual({ hasKey: true, hasEvent: true, hasMainMeterEvent: true });
    expect(firstRunDone(done)).toBe(true);
  });

  it("asks for a main meter event in its windows, not among a long history of other events", async () => {
    const ws = await newWorkspace("first-run-long");
    try {
      await record(ws.id, "api_calls", "1");
      const seed = await viewsDb().usageEvent.findFirstOrThrow({ where: { workspaceId: ws.id } });
      // 20,000 api_calls events, and a compute window holding none (as a period reset can leave one).
      await viewsDb().$executeRaw`
        INSERT INTO "UsageEvent" (id, "workspaceId", feature, "windowId", units, "quotaUnits", "idempotencyKey", "requestHash", response, "createdAt")
        SELECT 'hist-' || ${ws.id} || '-' || g, ${ws.id}, 'api_calls', ${seed.windowId}, 0, 0, 'hist-' || g, 'h', '{}'::jsonb, ${seed.createdAt}::timestamp
        FROM generate_series(1, 20000) g`;
      const { planId } = await viewsDb().usageWindow.findUniqueOrThrow({ where: { id: seed.windowId } });
      await viewsDb().usageWindow.create({
        data: { workspaceId: ws.id, feature: MAIN_METER, period: "week", periodStart: new Date("2025-01-06T00:00:00Z"), periodEnd: new Date("2025-01-13T00:00:00Z"), overflow: "extras", planId },
      });
      await viewsDb().$executeRawUnsafe(`ANALYZE "UsageEvent"`);

      expect(await firstRunState(viewsDb(), ws.id)).toEqual({ hasKey: false, hasEvent: true, hasMainMeterEvent: false });
      const reads = await tableReads(recorder, "UsageEvent", (db) => firstRunState(db, ws.id));
      const mainMeter = reads.filter((r) => r.values.includes(MAIN_METER));
      expect(mainMeter).toHaveLength(1);
      // None of the workspace's 20,000 other events is read to learn that the main meter has none.
      expect(mainMeter[0]!.scans.reduce((n, s) => n + s.rows, 0), mainMeter[0]!.text).toBeLessThan(10);
    } finally {
      await removeWorkspace(viewsDb(), ws.id);
    }
  });
});
