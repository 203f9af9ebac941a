import { afterAll, describe, expect, it } from "vitest";
import { checkUsage, currentPlanVersion, onPlanChanged, publishPlan, recordUsage, resetWindowsForPeriod } from "@/lib/billing";
import { openWindow } from "@/lib/billing/windows";
import { createWorkspace } from "@/lib/workspaces/create-workspace";
import { closeTestDb, expectBooksHold, seedWorkspace, settle, testDb, uid } from "./helpers";

afterAll(closeTestDb);

const silent = { notifier: { async send() {} } };
const DAY = 86_400_000;

describe("usage windows", () => {
  it("a window reset racing 200 recordings: every accepted unit lands in exactly one window", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "100000", overflow: "block", period: "billing_period" } });
    const T = new Date(Date.UTC(2026, 10, 20, 12, 0, 0));
    await testDb().subscription.update({
      where: { workspaceId },
      data: { currentPeriodStart: new Date(T.getTime() - 20 * DAY), currentPeriodEnd: new Date(T.getTime() + 10 * DAY) },
    });
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "open", now: new Date(T.getTime() - DAY) }, silent);
    const run = uid();
    // Half the recordings happen just before the new period starts, half at or after it. The reset is
    // started between two waves of 100, so it runs while recordings are in flight on both sides of it.
    const record = (i: number) =>
      recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: `${run}-${i}`, now: new Date(T.getTime() + (i % 2 === 0 ? -1 - i : i)) }, silent);
    const firstWave = Array.from({ length: 100 }, (_, i) => record(i));
    const reset = resetWindowsForPeriod(testDb(), { workspaceId, periodStart: T, periodEnd: new Date(T.getTime() + 30 * DAY) });
    const secondWave = Array.from({ length: 100 }, (_, i) => record(100 + i));
    const [{ ok, codes }, r] = await Promise.all([settle([...firstWave, ...secondWave]), reset]);
    expect(codes).toEqual([]);
    expect(ok).toHaveLength(200);
    expect(r.closedWindowIds).toHaveLength(1);

    const windows = await testDb().usageWindow.findMany({ where: { workspaceId, feature: "compute" }, orderBy: { periodStart: "asc" } });
    expect(windows).toHaveLength(2);
    const [before, after] = windows as [(typeof windows)[0], (typeof windows)[0]];
    // No gap, no overlap: the old window now ends where the new one starts.
    expect(before.periodEnd.toISOString()).toBe(T.toISOString());
    expect(after.periodStart.toISOString()).toBe(T.toISOString());
    expect(after.periodEnd.toISOString()).toBe(new Date(T.getTime() + 30 * DAY).toISOString());
    // 201 units recorded, 201 units counted, each event in one window whose counter includes it.
    expect(before.used.plus(after.used).toFixed()).toBe("201");
    const events = await testDb().usageEvent.findMany({ where: { workspaceId } });
    expect(events).toHaveLength(201);
    const byWindow = new Map<string, number>();
    for (const e of events) byWindow.set(e.windowId, (byWindow.get(e.windowId) ?? 0) + Number(e.quotaUnits));
    expect(byWindow.get(before.id)).toBe(Number(before.used));
    expect(byWindow.get(after.id)).toBe(Number(after.used));
    // Every event lies in its window's range: before T in the old window, at or after T in the new one,
    // including those recorded into the old window before the reset cut it.
    for (const e of events) expect(e.windowId).toBe(e.createdAt < T ? before.id : after.id);
    // Once the reset is done, time decides alone.
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "late", now: new Date(T.getTime() + 1000) }, silent);
    expect((await testDb().usageEvent.findFirstOrThrow({ where: { workspaceId, idempotencyKey: "late" } })).windowId).toBe(after.id);
    // Running the reset again changes nothing.
    expect((await resetWindowsForPeriod(testDb(), { workspaceId, periodStart: T })).closedWindowIds).toEqual([]);
    await expectBooksHold(workspaceId);
  });

  it("a reset that merges a fallback window racing 200 recordings into it: each unit is counted once, in the window holding its time", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "100000", overflow: "block", period: "billing_period" } });
    const E = new Date(Date.UTC(2026, 10, 20, 12, 0, 0));
    await testDb().subscription.update({
      where: { workspaceId },
      data: { periodAnchor: new Date(E.getTime() - 30 * DAY), currentPeriodStart: new Date(E.getTime() - 30 * DAY), currentPeriodEnd: E },
    });
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "old", now: new Date(E.getTime() - 2 * DAY) }, silent);
    // After the old period's end: a fallback window opens from E.
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "fallback", now: new Date(E.getTime() + 1000) }, silent);
    // Stripe's new period started a day earlier (a new anchor): the old window is cut, the fallback merged.
    const S = new Date(E.getTime() - DAY);
    await testDb().subscription.update({ where: { workspaceId }, data: { periodAnchor: S } });
    const run = uid();
    const record = (i: number) =>
      recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: `${run}-${i}`, now: new Date(E.getTime() + (i % 3 === 0 ? -1 - i : 2000 + i)) }, silent);
    const firstWave = Array.from({ length: 100 }, (_, i) => record(i));
    const reset = resetWindowsForPeriod(testDb(), { workspaceId, periodStart: S, periodEnd: new Date(S.getTime() + 30 * DAY) });
    const secondWave = Array.from({ length: 100 }, (_, i) => record(100 + i));
    const [{ ok, codes }, r] = await Promise.all([settle([...firstWave, ...secondWave]), reset]);
    expect(codes).toEqual([]);
    expect(ok).toHaveLength(200);
    expect(r.mergedWindowIds).toHaveLength(1);

    const windows = await testDb().usageWindow.findMany({ where: { workspaceId, feature: "compute" }, orderBy: { periodStart: "asc" } });
    expect(windows.map((w) => [w.periodStart.toISOString(), w.periodEnd.toISOString()])).toEqual([
      [new Date(E.getTime() - 30 * DAY).toISOString(), S.toISOString()],
      [S.toISOString(), new Date(S.getTime() + 30 * DAY).toISOString()],
    ]);
    const [before, after] = windows as [(typeof windows)[0], (typeof windows)[0]];
    const events = await testDb().usageEvent.findMany({ where: { workspaceId } });
    expect(events).toHaveLength(202);
    for (const e of events) expect(e.windowId).toBe(e.createdAt < S ? before.id : after.id);
    expect([before.used.toFixed(), after.used.toFixed()]).toEqual(["1", "201"]);
    expect((await resetWindowsForPeriod(testDb(), { workspaceId, periodStart: S })).closedWindowIds).toEqual([]);
    await expectBooksHold(workspaceId);
  });

  it("openers racing for one window leave one window, never an empty one that blocks the next period's", async () => {
    const now = new Date("2026-11-18T12:00:00.000Z");
    const seeded = await Promise.all(Array.from({ length: 30 }, () => seedWorkspace({ compute: { limit: "100", overflow: "block", period: "week" } })));
    await Promise.all(seeded.map(({ workspaceId }) => Promise.all(Array.from({ length: 4 }, () => openWindow(testDb(), workspaceId, "compute", now)))));
    for (const { workspaceId } of seeded) {
      const windows = await testDb().usageWindow.findMany({ where: { workspaceId, feature: "compute" } });
      expect(windows.map((w) => w.periodEnd > w.periodStart)).toEqual([true]);
      const nextWeek = new Date(windows[0]!.periodEnd.getTime() + 1000);
      const r = await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "next", now: nextWeek }, silent);
      expect(r.allowed).toBe(true);
      await expectBooksHold(workspaceId);
    }
  });

  it("rolls over without a cron: the first event after the end opens the next window with a fresh quota", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "10", overflow: "block", period: "week" } });
    const wed = new Date("2026-11-18T12:00:00.000Z");
    const a = await recordUsage(testDb(), { workspaceId, feature: "compute", units: 10, idempotencyKey: "w1", now: wed }, silent);
    // No anchor: ISO week, Monday 00:00 UTC.
    expect(a).toMatchObject({ remaining: "0", resetsAt: "2026-11-23T00:00:00.000Z" });
    await expect(
      recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "w1b", now: new Date("2026-11-22T23:59:59.999Z") }, silent),
    ).rejects.toMatchObject({ code: "quota_exhausted" });
    const b = await recordUsage(testDb(), { workspaceId, feature: "compute", units: 3, idempotencyKey: "w2", now: new Date("2026-11-23T00:00:00.000Z") }, silent);
    expect(b).toMatchObject({ remaining: "7", resetsAt: "2026-11-30T00:00:00.000Z" });
    const windows = await testDb().usageWindow.findMany({ where: { workspaceId, feature: "compute" }, orderBy: { periodStart: "asc" } });
    expect(windows.map((w) => [w.periodStart.toISOString(), w.periodEnd.toISOString(), w.used.toFixed()])).toEqual([
      ["2026-11-16T00:00:00.000Z", "2026-11-23T00:00:00.000Z", "10"],
      ["2026-11-23T00:00:00.000Z", "2026-11-30T00:00:00.000Z", "3"],
    ]);
    await expectBooksHold(workspaceId);
  });

  it("weekly windows follow the subscription's period anchor", async () => {
    const { workspaceId } = await seedWorkspace({
      compute: { limit: "10", overflow: "block", period: "week" },
      subscription: { periodAnchor: new Date("2026-10-03T15:30:00.000Z"), currentPeriodStart: new Date("2026-11-03T15:30:00.000Z") },
    });
    const a = await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "x", now: new Date("2026-11-18T12:00:00.000Z") }, silent);
    expect(a.resetsAt).toBe("2026-11-24T15:30:00.000Z");
    const w = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" } });
    expect(w.periodStart.toISOString()).toBe("2026-11-17T15:30:00.000Z");
  });

  it("a plan version bump keeps existing subscriptions' quotas and gives new ones the new version", async () => {
    const { workspaceId, spec, planId } = await seedWorkspace({ compute: { limit: "100", overflow: "block", period: "week" } });
    const wed = new Date("2026-11-18T12:00:00.000Z");
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "a", now: wed }, silent);
    const v2 = await publishPlan(testDb(), {
      ...spec,
      entitlements: spec.entitlements.map((e) => (e.feature === "compute" ? { ...e, limit: "250" } : e)),
    });
    expect([v2.created, v2.plan.version]).toEqual([true, 2]);
    // The existing subscription keeps version 1, in this window and the next.
    expect((await testDb().subscription.findUniqueOrThrow({ where: { workspaceId } })).planId).toBe(planId);
    const next = await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "b", now: new Date(wed.getTime() + 7 * DAY) }, silent);
    expect(next.remaining).toBe("99");
    // A new subscription gets version 2.
    const current = await currentPlanVersion(testDb(), spec.key);
    expect(current?.id).toBe(v2.plan.id);
    const owner = await testDb().user.create({ data: { email: `new-${uid()}@example.test` } });
    const ws2 = await createWorkspace(testDb(), { name: "Newcomer", ownerId: owner.id });
    await testDb().subscription.update({ where: { workspaceId: ws2.id }, data: { planId: current!.id, status: "active" } });
    const fresh = await recordUsage(testDb(), { workspaceId: ws2.id, feature: "compute", units: 1, idempotencyKey: "c", now: wed }, silent);
    expect(fresh.remaining).toBe("249");
    const w = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId: ws2.id, feature: "compute" } });
    expect([w.planId, w.quota?.toFixed()]).toEqual([v2.plan.id, "250"]);
    await expectBooksHold(workspaceId);
  });

  it("an upgrade raises the current window's quota at once; a downgrade waits for the next window", async () => {
    const { workspaceId, spec } = await seedWorkspace({ compute: { limit: "10", overflow: "block", period: "week" } });
    const bigger = await publishPlan(testDb(), {
      ...spec,
      key: `${spec.key}_pro`,
      entitlements: spec.entitlements.map((e) => (e.feature === "compute" ? { ...e, limit: "1000" } : e)),
    });
    const smaller = await publishPlan(testDb(), {
      ...spec,
      key: `${spec.key}_mini`,
      entitlements: spec.entitlements.map((e) => (e.feature === "compute" ? { ...e, limit: "5" } : e)),
    });
    const wed = new Date("2026-11-18T12:00:00.000Z");
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 10, idempotencyKey: "a", now: wed }, silent);
    await expect(recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "b", now: wed }, silent)).rejects.toMatchObject({
      code: "quota_exhausted",
    });
    await testDb().subscription.update({ where: { workspaceId }, data: { planId: bigger.plan.id } });
    const changed = await onPlanChanged(testDb(), { workspaceId, now: wed });
    expect(changed.changedWindowIds).toHaveLength(1);
    expect(await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "b", now: wed }, silent)).toMatchObject({ remaining: "989" });
    expect((await checkUsage(testDb(), { workspaceId, feature: "compute", units: 989, now: wed })).allowed).toBe(true);

    await testDb().subscription.update({ where: { workspaceId }, data: { planId: smaller.plan.id } });
    expect((await onPlanChanged(testDb(), { workspaceId, now: wed })).changedWindowIds).toEqual([]);
    const w = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" } });
    expect(w.quota?.toFixed()).toBe("1000");
    const nextWeek = await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "c", now: new Date(wed.getTime() + 7 * DAY) }, silent);
    expect(nextWeek.remaining).toBe("4");
    await expectBooksHold(workspaceId);
  });
});
