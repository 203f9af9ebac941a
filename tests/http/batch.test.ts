import { afterAll, describe, expect, it } from "vitest";
import { topupExtras } from "@/lib/billing";
import type { BatchEvent, BatchResponse, UsageAnswer } from "@tally/client";
import { closeAll, seedWorkspace, tallyClient, testDb, uid, written } from "./helpers";

afterAll(closeAll);

// Through the typed client: each call's events are sent as given (every one here carries its own key).
const batch = async (key: string, events: BatchEvent[]): Promise<{ status: 200; json: BatchResponse }> => ({ status: 200, json: await tallyClient(key).recordUsageBatch(events) });
const record = (key: string, body: BatchEvent) =>
  tallyClient(key).recordUsage(body).then(
    (answer): { status: number; json: UsageAnswer | { error: unknown } } => ({ status: 200, json: answer }),
    (e: { status: number; code: string; message: string; details?: unknown }) => ({
      status: e.status,
      json: { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } },
    }),
  );

describe("POST /api/v1/usage/batch", () => {
  it("1000 events against a quota of 600: a result per event, exactly 600 accepted and counted", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "600", overflow: "block" } });
    const run = uid();
    const events = Array.from({ length: 1000 }, (_, i) => ({ feature: "compute", units: 1, idempotencyKey: `${run}-${i}` }));
    const r = await batch(key, events);
    expect(r.status).toBe(200);
    expect(r.json.results).toHaveLength(1000);
    expect(r.json.results.map((x) => x.index)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(r.json.results.every((x, i) => x.idempotencyKey === `${run}-${i}`)).toBe(true);
    expect({ accepted: r.json.accepted, refused: r.json.refused, failed: r.json.failed }).toEqual({ accepted: 600, refused: 400, failed: 0 });
    const ok = r.json.results.filter((x) => x.status === 200);
    expect(ok.map((x) => x.answer!.remaining!).sort((a, b) => a - b)).toEqual(Array.from({ length: 600 }, (_, i) => i));
    const refused = r.json.results.filter((x) => x.status === 402);
    expect(refused).toHaveLength(400);
    expect(refused[0]!.error!.code).toBe("quota_exhausted");
    expect(await written(workspaceId)).toEqual({ events: 600, used: "600" });
    // The 80% and 100% thresholds were crossed once each.
    expect(await testDb().thresholdMark.count({ where: { workspaceId } })).toBe(2);
  });

  it("decides each event on its own: fractional units, duplicates, replays, conflicts, unknown features, extras", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "10", overflow: "extras" } });
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 5, checkoutSessionId: `cs_${uid()}` });
    const first = await record(key, { feature: "compute", units: 2, idempotencyKey: "earlier" });
    expect(first.status).toBe(200);
    const r = await batch(key, [
      { feature: "compute", units: "2.5", idempotencyKey: "a" }, // quota: 4.5 used
      { feature: "compute", units: 2, idempotencyKey: "earlier" }, // replay of the single call
      { feature: "compute", units: 3, idempotencyKey: "earlier" }, // same key, other payload
      { feature: "compute", units: "2.5", idempotencyKey: "a" }, // duplicate inside the batch
      { feature: "teleports", units: 1, idempotencyKey: "b" }, // unknown feature
      { feature: "compute", units: 8, idempotencyKey: "c" }, // 5.5 of quota left + 5 extras: paid from extras
      { feature: "compute", units: 3, idempotencyKey: "d" }, // nothing left: refused
      { feature: "api_calls", units: 7, idempotencyKey: "e" }, // another feature
    ]);
    expect(r.status).toBe(200);
    const s = r.json.results.map((x) => x.status);
    expect(s).toEqual([200, 200, 409, 200, 400, 200, 402, 200]);
    expect(r.json.results[1]!.answer).toEqual(first.json);
    expect(r.json.results[3]!.answer).toEqual(r.json.results[0]!.answer);
    expect(r.json.results[5]!.answer).toMatchObject({ units: 8, remaining: 0, extrasRemaining: 2.5 });
    expect({ accepted: r.json.accepted, refused: r.json.refused, failed: r.json.failed }).toEqual({ accepted: 5, refused: 1, failed: 2 });
    expect(await testDb().usageEvent.count({ where: { workspaceId } })).toBe(4);
    const windows = await testDb().usageWindow.findMany({ where: { workspaceId }, orderBy: { feature: "asc" } });
    expect(windows.map((w) => [w.feature, w.used.toFixed()])).toEqual([["api_calls", "7"], ["compute", "10"]]);
  });

  it("concurrent batches and single calls on one quota never exceed it", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "500", overflow: "block" } });
    const run = uid();
    const batches = Array.from({ length: 4 }, (_, b) =>
      batch(key, Array.from({ length: 200 }, (_, i) => ({ feature: "compute", units: 1, idempotencyKey: `${run}-b${b}-${i}` }))),
    );
    const singles = Array.from({ length: 200 }, (_, i) => record(key, { feature: "compute", units: 1, idempotencyKey: `${run}-s${i}` }));
    const [b, s] = await Promise.all([Promise.all(batches), Promise.all(singles)]);
    const acceptedInBatches = b.reduce((n, r) => n + r.json.accepted, 0);
    const acceptedSingles = s.filter((r) => r.status === 200).length;
    expect(s.every((r) => r.status === 200 || r.status === 402)).toBe(true);
    expect(acceptedInBatches + acceptedSingles).toBe(500);
    expect(await written(workspaceId)).toEqual({ events: 500, used: "500" });
  });

  it("answers and stores what the same events sent one by one would: later events see extras spent by earlier ones", async () => {
    const [inBatch, single] = await Promise.all([
      seedWorkspace({ compute: { limit: "10", overflow: "extras" } }),
      seedWorkspace({ compute: { limit: "10", overflow: "extras" } }),
    ]);
    for (const { workspaceId } of [inBatch, single]) {
      await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 8, checkoutSessionId: `cs_${uid()}` });
    }
    const events = [
      { feature: "api_calls", units: 1, idempotencyKey: "first" },
      { feature: "compute", units: 12, idempotencyKey: "overflow" }, // 10 of quota + 2 from extras: 6 left
      { feature: "api_calls", units: 2, idempotencyKey: "after" }, // another feature: sees 6
      { feature: "compute", units: 9, idempotencyKey: "too-much" }, // 6 in extras: refused
      { feature: "compute", units: 1, idempotencyKey: "more" }, // 1 from extras: 5 left
      { feature: "api_calls", units: 3, idempotencyKey: "last" },
      { feature: "compute", units: 1, idempotencyKey: "too-much" }, // the refused key, new payload: a new event
    ];
    const r = await batch(inBatch.key, events);
    expect(r.status).toBe(200);
    const alone: Awaited<ReturnType<typeof record>>[] = [];
    for (const e of events) alone.push(await record(single.key, e));
    expect(r.json.results.map((x) => x.status)).toEqual(alone.map((a) => a.status));
    expect(r.json.results.map((x) => x.status)).toEqual([200, 200, 200, 402, 200, 200, 200]);
    const seen = r.json.results.map((x: { answer?: unknown; error?: unknown }) => x.answer ?? { error: x.error });
    expect(seen).toEqual(alone.map((a) => a.json));
    expect(r.json.results[2]!.answer).toMatchObject({ feature: "api_calls", extrasRemaining: 6 });
    expect(r.json.results[5]!.answer).toMatchObject({ feature: "api_calls", extrasRemaining: 5 });
    // The stored answers replay the same, one by one or as a batch.
    const stored = async (workspaceId: string) =>
      (await testDb().usageEvent.findMany({ where: { workspaceId }, orderBy: { idempotencyKey: "asc" } })).map((e) => [e.idempotencyKey, e.response]);
    expect(await stored(inBatch.workspaceId)).toEqual(await stored(single.workspaceId));
    const again = await batch(inBatch.key, events);
    expect(again.json.results.map((x: { answer?: unknown }) => x.answer)).toEqual(r.json.results.map((x: { answer?: unknown }) => x.answer));
  });

  it("an action named like an Object.prototype member is a 400 result of its own; the other events are recorded", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    const actions = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"];
    const r = await batch(key, [
      { feature: "compute", units: 2, idempotencyKey: "before" },
      ...actions.map((action) => ({ feature: "compute", costs: { action }, idempotencyKey: `bad-${action}` })),
      { feature: "compute", costs: { action: "small" }, idempotencyKey: "after" },
    ]);
    expect(r.status).toBe(200);
    expect(r.json.results.map((x) => x.status)).toEqual([200, 400, 400, 400, 400, 400, 200]);
    for (const x of r.json.results.slice(1, 6)) expect(x.error).toMatchObject({ code: "invalid_request", details: { field: "costs.action" } });
    expect({ accepted: r.json.accepted, refused: r.json.refused, failed: r.json.failed }).toEqual({ accepted: 2, refused: 0, failed: 5 });
    expect(await written(workspaceId)).toEqual({ events: 2, used: "4" });
  });

  it("replaying a whole batch changes nothing and answers the same", async () => {
    const { workspaceId, key } = await seedWorkspace({ compute: { limit: "100", overflow: "block" } });
    const events = Array.from({ length: 150 }, (_, i) => ({ feature: "compute", units: 1, idempotencyKey: `r-${i}` }));
    const first = await batch(key, events);
    const again = await batch(key, events);
    expect(first.json.accepted).toBe(100);
    // Refused events wrote nothing, so their replay is decided again (and refused again).
    expect(again.json).toEqual(first.json);
    expect(await written(workspaceId)).toEqual({ events: 100, used: "100" });
  });
});
