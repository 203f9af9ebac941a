import { afterAll, describe, expect, it } from "vitest";
import { recordUsage, recordUsageBatch } from "@/lib/billing";
import { lateThresholdBody, thresholdBody, thresholdSubject } from "@/lib/billing/thresholds";
import { closeTestDb, expectBooksHold, seedWorkspace, testDb, uid } from "./helpers";

afterAll(closeTestDb);

const silent = { notifier: { async send() {} }, waitForSideEffects: true };
const HOUR = 3_600_000;
// Monday 00:00 UTC: weekly windows of a workspace without a period anchor run Monday to Monday.
const MONDAY = Date.UTC(2026, 10, 30);
const at = (ms: number) => new Date(ms);

async function weekly(limit = "10") {
  const { workspaceId } = await seedWorkspace({ compute: { limit, overflow: "block", period: "week" } });
  await testDb().subscription.update({ where: { workspaceId }, data: { periodAnchor: null, currentPeriodStart: null, currentPeriodEnd: null } });
  return workspaceId;
}

const windows = (workspaceId: string) =>
  testDb().usageWindow.findMany({ where: { workspaceId, feature: "compute" }, orderBy: { periodStart: "asc" } });
const code = (p: Promise<unknown>) => p.then(() => "ok", (e: { code?: string }) => e.code ?? String(e));

describe("backdated usage events", () => {
  it("an event backdated into last week's window lands there, and is refused when that window is full", async () => {
    const workspaceId = await weekly("10");
    const k = uid();
    // Last week: 8 of 10 used.
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 8, idempotencyKey: `${k}-old`, now: at(MONDAY - 20 * HOUR) }, silent);
    // This week (the window has rolled over): 5 used.
    const now = at(MONDAY + HOUR);
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 5, idempotencyKey: `${k}-new`, now }, silent);

    const sunday = at(MONDAY - 4 * HOUR);
    const answer = await recordUsage(testDb(), { workspaceId, feature: "compute", units: 2, idempotencyKey: `${k}-late`, timestamp: sunday.toISOString(), now }, silent);
    // Decided against last week's window: it is now full, and its answer says when it ended.
    expect(answer).toMatchObject({ allowed: true, units: "2", remaining: "0", resetsAt: at(MONDAY).toISOString() });
    const [last, current] = await windows(workspaceId);
    if (!last || !current) throw new Error("expected two windows");
    expect([last.used.toFixed(), current.used.toFixed()]).toEqual(["10", "5"]);
    const ev = await testDb().usageEvent.findFirstOrThrow({ where: { workspaceId, idempotencyKey: `${k}-late` } });
    expect(ev.windowId).toBe(last.id);
    expect(ev.createdAt.toISOString()).toBe(sunday.toISOString());
    expect(ev.recordedAt?.toISOString()).toBe(now.toISOString());
    // It took last week's window to 100%: the notice says that window, which has ended, not the current one.
    const notices = await testDb().notification.findMany({ where: { workspaceId, kind: "threshold" }, orderBy: { createdAt: "asc" } });
    expect(notices.map((n) => [n.dedupeKey, n.subject, n.body])).toEqual([
      [`threshold:${last.id}:80`, thresholdSubject("compute", 80), thresholdBody("compute", 80, at(MONDAY).toISOString())],
      [`threshold:${last.id}:100`, thresholdSubject("compute", 100), lateThresholdBody("compute", 100, at(MONDAY).toISOString())],
    ]);

    // One more unit into last week is refused although this week has 5 left; nothing is written.
    expect(await code(recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: `${k}-full`, timestamp: sunday, now }, silent))).toBe("quota_exhausted");
    expect(await testDb().usageEvent.count({ where: { workspaceId, idempotencyKey: `${k}-full` } })).toBe(0);
    // The same unit now counts in this week's window; an event without a timestamp is dated now, recordedAt unset.
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: `${k}-now`, now }, silent);
    const plain = await testDb().usageEvent.findFirstOrThrow({ where: { workspaceId, idempotencyKey: `${k}-now` } });
    expect([plain.windowId, plain.createdAt.toISOString(), plain.recordedAt]).toEqual([current.id, now.toISOString(), null]);
    await expectBooksHold(workspaceId);
  });

  it("a backdated event whose window never opened opens it with the plan's quota, before the current one", async () => {
    const workspaceId = await weekly("10");
    const now = at(MONDAY + 2 * HOUR);
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 3, idempotencyKey: "current", now }, silent);
    const answer = await recordUsage(testDb(), { workspaceId, feature: "compute", units: 4, idempotencyKey: "yesterday", timestamp: "2026-11-29T12:00:00+01:00", now }, silent);
    expect(answer.remaining).toBe("6");
    const [last, current] = await windows(workspaceId);
    expect(last).toMatchObject({ periodStart: at(MONDAY - 7 * 24 * HOUR), periodEnd: at(MONDAY) });
    expect([last!.quota?.toFixed(), last!.used.toFixed(), current!.used.toFixed()]).toEqual(["10", "4", "3"]);
    await expectBooksHold(workspaceId);
  });

  it("a timestamp more than 24 hours old, in the future or malformed is 400 invalid_timestamp and writes nothing", async () => {
    const workspaceId = await weekly("10");
    const now = at(MONDAY + 3 * HOUR);
    const send = (timestamp: string | Date, key = uid()) => code(recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: key, timestamp, now }, silent));
    expect(await send(at(now.getTime() - 25 * HOUR))).toBe("invalid_timestamp");
    expect(await send(at(now.getTime() - 24 * HOUR - 1))).toBe("invalid_timestamp");
    expect(await send(at(now.getTime() + 60_000))).toBe("invalid_timestamp");
    expect(await send(at(now.getTime() + 5001))).toBe("invalid_timestamp");
    expect(await send("yesterday")).toBe("invalid_timestamp");
    expect(await send("2026-11-30T01:00:00")).toBe("invalid_timestamp"); // no offset
    expect(await testDb().usageEvent.count({ where: { workspaceId } })).toBe(0);
    expect(await windows(workspaceId)).toEqual([]);
    // Exactly 24 hours is within the grace period; a few seconds ahead (clock skew) is taken as now.
    expect(await send(at(now.getTime() - 24 * HOUR), "edge")).toBe("ok");
    expect(await send(at(now.getTime() + 3000), "skew")).toBe("ok");
    const skew = await testDb().usageEvent.findFirstOrThrow({ where: { workspaceId, idempotencyKey: "skew" } });
    expect([skew.createdAt.toISOString(), skew.recordedAt]).toEqual([now.toISOString(), null]);
  });

  it("the timestamp is part of the payload: another one under the same key is 409, a late retry replays", async () => {
    const workspaceId = await weekly("10");
    const now = at(MONDAY + 3 * HOUR);
    const input = { workspaceId, feature: "compute", units: 1, idempotencyKey: "k1", timestamp: at(MONDAY - HOUR).toISOString() };
    const first = await recordUsage(testDb(), { ...input, now }, silent);
    // The same instant written with another offset is the same payload.
    expect(await recordUsage(testDb(), { ...input, timestamp: "2026-11-30T00:00:00+01:00", now }, silent)).toEqual(first);
    expect(await code(recordUsage(testDb(), { ...input, timestamp: at(MONDAY - 2 * HOUR), now }, silent))).toBe("idempotency_conflict");
    expect(await code(recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "k1", now }, silent))).toBe("idempotency_conflict");
    // A retry that arrives after the grace period still gets the first answer.
    expect(await recordUsage(testDb(), { ...input, now: at(now.getTime() + 30 * HOUR) }, silent)).toEqual(first);
    expect(await testDb().usageEvent.count({ where: { workspaceId } })).toBe(1);
  });

  it("a batch places each backdated event in its window and answers a bad timestamp per event", async () => {
    const workspaceId = await weekly("10");
    const now = at(MONDAY + HOUR);
    const outcomes = await recordUsageBatch(
      testDb(),
      {
        workspaceId,
        now,
        events: [
          { feature: "compute", units: 2, idempotencyKey: "b1" },
          { feature: "compute", units: 9, idempotencyKey: "b2", timestamp: at(MONDAY - 3 * HOUR).toISOString() },
          { feature: "compute", units: 3, idempotencyKey: "b3" },
          { feature: "compute", units: 2, idempotencyKey: "b4", timestamp: at(MONDAY - 2 * HOUR).toISOString() },
          { feature: "compute", units: 1, idempotencyKey: "b5", timestamp: at(MONDAY - 30 * HOUR).toISOString() },
        ],
      },
      silent,
    );
    expect(outcomes.map((o) => (o.ok ? o.answer.remaining : o.error.code))).toEqual(["8", "1", "5", "quota_exhausted", "invalid_timestamp"]);
    const [last, current] = await windows(workspaceId);
    expect([last!.used.toFixed(), current!.used.toFixed()]).toEqual(["9", "5"]);
    await expectBooksHold(workspaceId);
  });
});
