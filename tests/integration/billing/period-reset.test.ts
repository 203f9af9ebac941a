import { afterAll, describe, expect, it } from "vitest";
import { checkInvariants, onPlanChanged, publishPlan, recordUsage, resetWindowsForPeriod, topupExtras } from "@/lib/billing";
import { addInterval } from "@tally/stripe-emulator";
import { closeTestDb, expectBooksHold, seedWorkspace, testDb, uid } from "./helpers";

afterAll(closeTestDb);

// Sends finish before record() returns: a send still running could claim a notice a later step expects pending.
const silent = { notifier: { async send() {} }, waitForSideEffects: true };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (s: string) => new Date(s);
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);
/** Stripe's k-th period boundary from the billing cycle anchor (the emulator's rule: day clamped to the month). */
const boundary = (anchor: Date, interval: "month" | "year", k: number) => new Date(addInterval(anchor.getTime() / 1000, interval, k) * 1000);

let n = 0;
const record = (workspaceId: string, units: number, now: Date, feature = "compute") =>
  recordUsage(testDb(), { workspaceId, feature, units, idempotencyKey: `k${++n}-${uid()}`, now }, silent);

/** What a subscription sync stores before it resets the windows (the anchor and interval never move on a renewal). */
async function renew(workspaceId: string, periodStart: Date, periodEnd: Date, now = periodStart) {
  return resetWindowsForPeriod(testDb(), { workspaceId, periodStart, periodEnd, now });
}

/**
 * The windows of each feature never overlap, every event lies in its window's range, each counter is the
 * sum of its events' quota units, and every threshold mark points at an existing window.
 */
async function expectWindowsHold(workspaceId: string) {
  const db = testDb();
  const windows = await db.usageWindow.findMany({ where: { workspaceId }, orderBy: [{ feature: "asc" }, { periodStart: "asc" }] });
  for (let i = 1; i < windows.length; i++) {
    const [a, b] = [windows[i - 1]!, windows[i]!];
    if (a.feature === b.feature) expect(a.periodEnd.getTime(), `${a.feature} windows overlap`).toBeLessThanOrEqual(b.periodStart.getTime());
  }
  const byId = new Map(windows.map((w) => [w.id, w]));
  const sums = new Map<string, number>();
  for (const e of await db.usageEvent.findMany({ where: { workspaceId } })) {
    const w = byId.get(e.windowId);
    expect(w, `event ${e.idempotencyKey} has a window`).toBeDefined();
    expect(e.createdAt >= w!.periodStart && e.createdAt < w!.periodEnd, `event at ${e.createdAt.toISOString()} inside [${w!.periodStart.toISOString()}, ${w!.periodEnd.toISOString()})`).toBe(true);
    sums.set(e.windowId, (sums.get(e.windowId) ?? 0) + Number(e.quotaUnits));
  }
  for (const w of windows) expect(Number(w.used)).toBe(sums.get(w.id) ?? 0);
  for (const m of await db.thresholdMark.findMany({ where: { workspaceId } })) expect(byId.has(m.windowId)).toBe(true);
}

const computeWindows = async (workspaceId: string) =>
  (await testDb().usageWindow.findMany({ where: { workspaceId, feature: "compute" }, orderBy: { periodStart: "asc" } })).map((w) => ({
    id: w.id,
    start: w.periodStart.toISOString(),
    end: w.periodEnd.toISOString(),
    quota: w.quota?.toFixed() ?? null,
    used: w.used.toFixed(),
  }));

/** Everything a reset may touch, to show that running it again changes nothing. */
async function snapshot(workspaceId: string) {
  const db = testDb();
  const [windows, events, marks, notifications, sub] = await Promise.all([
    db.usageWindow.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
    db.usageEvent.findMany({ where: { workspaceId }, orderBy: { id: "asc" }, select: { id: true, windowId: true, quotaUnits: true, extrasUnits: true } }),
    db.thresholdMark.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
    db.notification.findMany({ where: { workspaceId }, orderBy: { id: "asc" }, select: { id: true, dedupeKey: true } }),
    db.subscription.findUniqueOrThrow({ where: { workspaceId }, select: { planId: true, currentPeriodStart: true, currentPeriodEnd: true } }),
  ]);
  return JSON.stringify({ windows, events, marks, notifications, sub });
}

describe("month windows across short months, through renewals", () => {
  // Anchors on the 28th to the 31st, through February and the 30-day months (April, June).
  for (const anchor of ["2026-01-28T10:00:00Z", "2026-01-29T10:00:00Z", "2026-01-30T10:00:00Z", "2026-01-31T10:00:00Z"].map(at)) {
    it(`anchor ${anchor.toISOString().slice(0, 10)}: one full quota per billed month, windows are Stripe's periods`, async () => {
      const { workspaceId } = await seedWorkspace({
        compute: { limit: "10", overflow: "block", period: "month" },
        subscription: { periodAnchor: anchor, currentPeriodStart: anchor, currentPeriodEnd: boundary(anchor, "month", 1) },
      });
      for (let k = 0; k < 6; k++) {
        const start = boundary(anchor, "month", k);
        const end = boundary(anchor, "month", k + 1);
        // The renewal webhook comes an hour late: usage of the new month is already recorded.
        if (k > 0) expect(await record(workspaceId, 6, plus(start, HOUR / 2))).toMatchObject({ remaining: "4", resetsAt: end.toISOString() });
        if (k > 0) await renew(workspaceId, start, end, plus(start, HOUR));
        else await record(workspaceId, 6, plus(start, HOUR / 2));
        expect(await record(workspaceId, 4, plus(start, 2 * HOUR))).toMatchObject({ remaining: "0", resetsAt: end.toISOString() });
        // The whole billed month is one window: its last hour finds the quota used.
        await expect(record(workspaceId, 1, plus(end, -HOUR))).rejects.toMatchObject({ code: "quota_exhausted" });
      }
      const windows = await computeWindows(workspaceId);
      // No window shorter than the month it stands for, none overlapping: exactly Stripe's periods.
      expect(windows.map((w) => [w.start, w.end, w.used])).toEqual(
        Array.from({ length: 6 }, (_, k) => [boundary(anchor, "month", k).toISOString(), boundary(anchor, "month", k + 1).toISOString(), "10"]),
      );
      await expectWindowsHold(workspaceId);
      await expectBooksHold(workspaceId);
    });
  }
});

describe("a new billing period learnt after its start", () => {
  it("monthly, anchor on the 31st: the window opened before the renewal was known is the new period's, and its quota is given once", async () => {
    const anchor = at("2026-01-31T10:00:00Z");
    const { workspaceId } = await seedWorkspace({
      compute: { limit: "10", overflow: "block", period: "billing_period" },
      subscription: { periodAnchor: anchor, currentPeriodStart: at("2026-02-28T10:00:00Z"), currentPeriodEnd: at("2026-03-31T10:00:00Z") },
    });
    await record(workspaceId, 10, at("2026-03-10T00:00:00Z"));
    // After the period end, before the renewal webhook.
    await record(workspaceId, 4, at("2026-03-31T12:00:00Z"));
    const r = await renew(workspaceId, at("2026-03-31T10:00:00Z"), at("2026-04-30T10:00:00Z"), at("2026-04-01T00:00:00Z"));
    expect(r.closedWindowIds).toEqual([]);
    expect(await record(workspaceId, 6, at("2026-04-10T00:00:00Z"))).toMatchObject({ remaining: "0", resetsAt: "2026-04-30T10:00:00.000Z" });
    // The period's last days are still the same period: no second quota.
    await expect(record(workspaceId, 1, at("2026-04-29T12:00:00Z"))).rejects.toMatchObject({ code: "quota_exhausted" });
    expect((await computeWindows(workspaceId)).map((w) => [w.start, w.end, w.used])).toEqual([
      ["2026-02-28T10:00:00.000Z", "2026-03-31T10:00:00.000Z", "10"],
      ["2026-03-31T10:00:00.000Z", "2026-04-30T10:00:00.000Z", "10"],
    ]);
    await expectWindowsHold(workspaceId);
    await expectBooksHold(workspaceId);
  });

  it("Stripe's new start differs from where the fallback began: the fallback is cut there and its later events move", async () => {
    // The old period ran Jan 10 - Feb 10; Stripe restarted the cycle on Feb 11 (a new anchor).
    const { workspaceId } = await seedWorkspace({
      compute: { limit: "10", overflow: "block", period: "billing_period" },
      subscription: { periodAnchor: at("2026-01-10T00:00:00Z"), currentPeriodStart: at("2026-01-10T00:00:00Z"), currentPeriodEnd: at("2026-02-10T00:00:00Z") },
    });
    await record(workspaceId, 2, at("2026-02-10T06:00:00Z"));
    await record(workspaceId, 8, at("2026-02-12T00:00:00Z"));
    const S = at("2026-02-11T00:00:00Z");
    await testDb().subscription.update({ where: { workspaceId }, data: { periodAnchor: S } });
    const r = await renew(workspaceId, S, at("2026-03-11T00:00:00Z"), at("2026-02-12T01:00:00Z"));
    expect(r.closedWindowIds).toHaveLength(1);
    const windows = await computeWindows(workspaceId);
    expect(windows.map((w) => [w.start, w.end, w.used])).toEqual([
      ["2026-02-10T00:00:00.000Z", "2026-02-11T00:00:00.000Z", "2"],
      ["2026-02-11T00:00:00.000Z", "2026-03-11T00:00:00.000Z", "8"],
    ]);
    expect(r.openedWindowIds).toEqual([windows[1]!.id]);
    // The moved usage reached 80% of the new window: marked there, its notification pending for after commit.
    expect(r.notificationIds).toHaveLength(1);
    const pending = await testDb().notification.findMany({ where: { id: { in: r.notificationIds } } });
    expect(pending.map((x) => [x.dedupeKey, x.status])).toEqual([[`threshold:${windows[1]!.id}:80`, "pending"]]);
    // The Feb 12 usage counts in the new period: 2 left, not a second full quota.
    expect(await record(workspaceId, 2, at("2026-02-13T00:00:00Z"))).toMatchObject({ remaining: "0" });
    await expect(record(workspaceId, 1, at("2026-03-10T00:00:00Z"))).rejects.toMatchObject({ code: "quota_exhausted" });
    const marks = await testDb().thresholdMark.findMany({ where: { workspaceId }, orderBy: { percent: "asc" } });
    // The cut window keeps the marks it notified; the new window has each threshold once.
    expect(marks.filter((m) => m.windowId === windows[0]!.id).map((m) => m.percent)).toEqual([80, 100]);
    expect(marks.filter((m) => m.windowId === windows[1]!.id).map((m) => m.percent)).toEqual([80, 100]);
    await expectWindowsHold(workspaceId);
    await expectBooksHold(workspaceId);
  });

  it("a fallback merged into the new period's window hands it its threshold marks, once each", async () => {
    const { workspaceId } = await seedWorkspace({
      compute: { limit: "10", overflow: "block", period: "billing_period" },
      subscription: { periodAnchor: at("2026-01-10T00:00:00Z"), currentPeriodStart: at("2026-01-10T00:00:00Z"), currentPeriodEnd: at("2026-02-10T00:00:00Z") },
    });
    await record(workspaceId, 9, at("2026-01-20T00:00:00Z"));
    await record(workspaceId, 8, at("2026-02-10T01:00:00Z"));
    const [old, fallback] = await computeWindows(workspaceId);
    // Stripe's new cycle started a day before the old period's end (a new anchor).
    const S = at("2026-02-09T00:00:00Z");
    await testDb().subscription.update({ where: { workspaceId }, data: { periodAnchor: S } });
    const r = await renew(workspaceId, S, at("2026-03-09T00:00:00Z"), at("2026-02-10T02:00:00Z"));
    expect([r.closedWindowIds, r.mergedWindowIds, r.notificationIds]).toEqual([[old!.id], [fallback!.id], []]);
    const windows = await computeWindows(workspaceId);
    expect(windows.map((w) => [w.start, w.end, w.used])).toEqual([
      ["2026-01-10T00:00:00.000Z", "2026-02-09T00:00:00.000Z", "9"],
      ["2026-02-09T00:00:00.000Z", "2026-03-09T00:00:00.000Z", "8"],
    ]);
    const marks = await testDb().thresholdMark.findMany({ where: { workspaceId } });
    expect(marks.map((m) => [m.windowId, m.percent]).sort()).toEqual([[old!.id, 80], [windows[1]!.id, 80]].sort());
    expect(await record(workspaceId, 2, at("2026-02-11T00:00:00Z"))).toMatchObject({ remaining: "0" });
    await expect(record(workspaceId, 1, at("2026-03-08T00:00:00Z"))).rejects.toMatchObject({ code: "quota_exhausted" });
    await expectWindowsHold(workspaceId);
    await expectBooksHold(workspaceId);
  });

  it("annual: a renewal learnt late leaves one year-long window holding every event since the new start", async () => {
    const anchor = at("2025-01-15T09:00:00Z");
    const { workspaceId } = await seedWorkspace({
      compute: { limit: "100", overflow: "block", period: "billing_period" },
      subscription: { periodAnchor: anchor, currentPeriodStart: anchor, currentPeriodEnd: at("2026-01-15T09:00:00Z") },
    });
    // The row does not say yearly yet, so the windows opened after the period end are month-long fallbacks:
    // the renewal, learnt over a month late, must merge both into the one year-long window.
    await record(workspaceId, 100, at("2025-06-01T00:00:00Z"));
    await record(workspaceId, 60, at("2026-01-20T00:00:00Z"));
    await record(workspaceId, 30, at("2026-02-20T00:00:00Z"));
    expect((await computeWindows(workspaceId)).length).toBe(3);
    await testDb().subscription.update({ where: { workspaceId }, data: { interval: "year" } });
    const r = await renew(workspaceId, at("2026-01-15T09:00:00Z"), at("2027-01-15T09:00:00Z"), at("2026-02-21T00:00:00Z"));
    expect(r.mergedWindowIds).toHaveLength(1);
    expect((await computeWindows(workspaceId)).map((w) => [w.start, w.end, w.used])).toEqual([
      ["2025-01-15T09:00:00.000Z", "2026-01-15T09:00:00.000Z", "100"],
      ["2026-01-15T09:00:00.000Z", "2027-01-15T09:00:00.000Z", "90"],
    ]);
    expect(await record(workspaceId, 10, at("2026-08-01T00:00:00Z"))).toMatchObject({ remaining: "0", resetsAt: "2027-01-15T09:00:00.000Z" });
    await expect(record(workspaceId, 1, at("2026-12-31T00:00:00Z"))).rejects.toMatchObject({ code: "quota_exhausted" });
    const before = await snapshot(workspaceId);
    const again = await renew(workspaceId, at("2026-01-15T09:00:00Z"), at("2027-01-15T09:00:00Z"), at("2026-12-31T01:00:00Z"));
    expect(again.closedWindowIds).toEqual([]);
    expect(again.mergedWindowIds).toEqual([]);
    expect(await snapshot(workspaceId)).toBe(before);
    await expectWindowsHold(workspaceId);
    await expectBooksHold(workspaceId);
  });

  it("annual with its interval known: the fallback already spans the next year, and the renewal keeps it", async () => {
    const anchor = at("2024-02-29T12:00:00Z");
    const { workspaceId } = await seedWorkspace({
      compute: { limit: "100", overflow: "block", period: "billing_period" },
      subscription: { periodAnchor: anchor, currentPeriodStart: at("2025-02-28T12:00:00Z"), currentPeriodEnd: at("2026-02-28T12:00:00Z") },
    });
    await testDb().subscription.update({ where: { workspaceId }, data: { interval: "year" } });
    expect(await record(workspaceId, 70, at("2026-03-01T00:00:00Z"))).toMatchObject({ remaining: "30", resetsAt: "2027-02-28T12:00:00.000Z" });
    await renew(workspaceId, at("2026-02-28T12:00:00Z"), at("2027-02-28T12:00:00Z"), at("2026-03-02T00:00:00Z"));
    await expect(record(workspaceId, 31, at("2026-09-01T00:00:00Z"))).rejects.toMatchObject({ code: "quota_exhausted" });
    expect((await computeWindows(workspaceId)).map((w) => [w.start, w.end, w.used])).toEqual([["2026-02-28T12:00:00.000Z", "2027-02-28T12:00:00.000Z", "70"]]);
    await expectWindowsHold(workspaceId);
  });
});

describe("week windows when the renewal is learnt late", () => {
  it("the weeks restart at the new start; events after it leave the cut week and the fallback week; a repeat changes nothing", async () => {
    const { workspaceId } = await seedWorkspace({
      compute: { limit: "10", overflow: "block", period: "week" },
      subscription: { periodAnchor: at("2026-01-10T00:00:00Z"), currentPeriodStart: at("2026-01-10T00:00:00Z"), currentPeriodEnd: at("2026-02-10T00:00:00Z") },
    });
    // Weeks of the old period: ... [Feb 7, Feb 14), then a fallback [Feb 14, Feb 21).
    await record(workspaceId, 3, at("2026-02-08T00:00:00Z"));
    await record(workspaceId, 5, at("2026-02-11T00:00:00Z"));
    await record(workspaceId, 4, at("2026-02-15T00:00:00Z"));
    const r = await renew(workspaceId, at("2026-02-10T00:00:00Z"), at("2026-03-10T00:00:00Z"), at("2026-02-15T12:00:00Z"));
    expect([r.closedWindowIds.length, r.mergedWindowIds.length, r.openedWindowIds.length]).toEqual([1, 1, 1]);
    expect((await computeWindows(workspaceId)).map((w) => [w.start, w.end, w.used])).toEqual([
      ["2026-02-07T00:00:00.000Z", "2026-02-10T00:00:00.000Z", "3"],
      ["2026-02-10T00:00:00.000Z", "2026-02-17T00:00:00.000Z", "9"],
    ]);
    await expect(record(workspaceId, 2, at("2026-02-16T00:00:00Z"))).rejects.toMatchObject({ code: "quota_exhausted" });
    expect(await record(workspaceId, 1, at("2026-02-16T00:00:00Z"))).toMatchObject({ remaining: "0", resetsAt: "2026-02-17T00:00:00.000Z" });
    // A refused recording opens the next week and leaves it empty: a repeat of the reset keeps it as it is.
    await expect(record(workspaceId, 11, at("2026-02-18T00:00:00Z"))).rejects.toMatchObject({ code: "quota_exhausted" });
    expect((await computeWindows(workspaceId)).at(-1)).toMatchObject({ start: "2026-02-17T00:00:00.000Z", end: "2026-02-24T00:00:00.000Z", used: "0" });
    const before = await snapshot(workspaceId);
    await renew(workspaceId, at("2026-02-10T00:00:00Z"), at("2026-03-10T00:00:00Z"), at("2026-02-18T01:00:00Z"));
    expect(await snapshot(workspaceId)).toBe(before);
    await expectWindowsHold(workspaceId);
    await expectBooksHold(workspaceId);
  });
});

describe("a downgrade booked for the period end", () => {
  async function downgradeSetup(opts: { annual: boolean }) {
    const start = at("2026-03-05T08:00:00Z");
    const next = opts.annual ? at("2027-03-05T08:00:00Z") : at("2026-04-05T08:00:00Z");
    const seeded = await seedWorkspace({
      compute: { limit: "100", overflow: "extras", period: "billing_period" },
      subscription: { periodAnchor: start, currentPeriodStart: start, currentPeriodEnd: next },
    });
    const { workspaceId, spec } = seeded;
    if (opts.annual) await testDb().subscription.update({ where: { workspaceId }, data: { interval: "year" } });
    const mini = await publishPlan(testDb(), {
      ...spec,
      key: `${spec.key}_mini`,
      entitlements: spec.entitlements.map((e) => (e.feature === "compute" ? { ...e, limit: "10" } : e)),
    });
    const end = opts.annual ? at("2028-03-05T08:00:00Z") : at("2026-05-05T08:00:00Z");
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 50, checkoutSessionId: `cs_${uid()}`, expiresAt: end, now: start });
    await record(workspaceId, 90, plus(start, DAY));
    // The new period has begun; the webhook that says so (with the lower plan) has not come yet.
    await record(workspaceId, 8, plus(next, HOUR));
    await record(workspaceId, 95, plus(next, 2 * HOUR));
    const fallback = await computeWindows(workspaceId);
    expect(fallback.at(-1)).toMatchObject({ start: next.toISOString(), quota: "100", used: "100" });
    // What the subscription sync does: store the new plan and period, reset, then apply the plan change.
    await testDb().subscription.update({ where: { workspaceId }, data: { planId: mini.plan.id } });
    const r = await renew(workspaceId, next, end, plus(next, 3 * HOUR));
    await onPlanChanged(testDb(), { workspaceId, now: plus(next, 3 * HOUR) });
    return { workspaceId, next, end, r, miniPlanId: mini.plan.id };
  }

  for (const annual of [false, true]) {
    it(`${annual ? "annual" : "monthly"}: the new period's window has the lower quota; extras already debited stay; a repeat changes nothing`, async () => {
      const { workspaceId, next, end, r, miniPlanId } = await downgradeSetup({ annual });
      const windows = await computeWindows(workspaceId);
      expect(windows.map((w) => [w.start, w.end, w.quota, w.used])).toEqual([
        ["2026-03-05T08:00:00.000Z", next.toISOString(), "100", "90"],
        [next.toISOString(), end.toISOString(), "10", "100"],
      ]);
      const current = (await testDb().usageWindow.findUniqueOrThrow({ where: { id: windows[1]!.id } }));
      expect([current.planId, current.overflow]).toEqual([miniPlanId, "extras"]);
      expect(r.openedWindowIds).toEqual([windows[1]!.id]);
      // The second event of the new period took 5 from extras when it was recorded: that stays as it was.
      const events = await testDb().usageEvent.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" } });
      expect(events.map((e) => [e.quotaUnits.toFixed(), e.extrasUnits.toFixed()])).toEqual([["90", "0"], ["8", "0"], ["92", "3"]]);
      expect((await testDb().extrasAccount.findUniqueOrThrow({ where: { workspaceId } })).balance.toFixed()).toBe("47");
      // The lower quota is used up: more usage is paid by extras.
      expect(await record(workspaceId, 2, plus(next, 5 * HOUR))).toMatchObject({ remaining: "0", extrasRemaining: "45", resetsAt: end.toISOString() });
      // The window crossed 80% and 100% of its new quota: marked once each, on the window that exists.
      const marks = await testDb().thresholdMark.findMany({ where: { workspaceId }, orderBy: { percent: "asc" } });
      expect(marks.filter((m) => m.windowId === windows[1]!.id).map((m) => m.percent)).toEqual([80, 100]);
      const notes = await testDb().notification.findMany({ where: { workspaceId, dedupeKey: { startsWith: `threshold:${windows[1]!.id}:` } } });
      expect(notes.map((x) => x.dedupeKey).sort()).toEqual([`threshold:${windows[1]!.id}:100`, `threshold:${windows[1]!.id}:80`]);

      const before = await snapshot(workspaceId);
      const again = await renew(workspaceId, next, end, plus(next, 6 * HOUR));
      expect([again.closedWindowIds, again.mergedWindowIds, again.notificationIds]).toEqual([[], [], []]);
      expect(await snapshot(workspaceId)).toBe(before);

      await expectWindowsHold(workspaceId);
      // A downgrade legitimately leaves the window above its lowered quota; nothing else may be reported.
      const violations = await checkInvariants(testDb(), { workspaceId });
      expect(violations.filter((v) => !(v.check === "window_within_quota" && v.id === windows[1]!.id))).toEqual([]);
    });
  }
});
