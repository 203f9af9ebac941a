import { afterAll, describe, expect, it } from "vitest";
import { Prisma } from "@/lib/generated/prisma/client";
import { claimGauge, deliverPendingNotifications, recordUsage, topupExtras } from "@/lib/billing";
import { setOverride } from "@/lib/admin/overrides";
import { claimThresholdsSql, dueNotificationsSql, THRESHOLD_COOLDOWN_MS } from "@/lib/billing/notify";
import { thresholdBody, thresholdSubject } from "@/lib/billing/thresholds";
import { planNodes } from "../../helpers/query-plans";
import { closeTestDb, expectBooksHold, recordingNotifier, seedWorkspace, sentTo, settle, testDb, uid } from "./helpers";

afterAll(closeTestDb);

describe("thresholds at 80% and 100%", () => {
  it("are recorded exactly once each under concurrency, each with its notification", async () => {
    const { workspaceId, ownerEmail } = await seedWorkspace({ compute: { limit: "100", overflow: "block", period: "week" } });
    const notifier = recordingNotifier();
    const run = uid();
    const now = new Date("2026-11-18T12:00:00.000Z");
    const { ok, codes } = await settle(
      Array.from({ length: 150 }, (_, i) =>
        recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: `${run}-${i}`, now }, { notifier, waitForSideEffects: true }),
      ),
    );
    expect([ok.length, codes.length]).toEqual([100, 50]);
    const marks = await testDb().thresholdMark.findMany({ where: { workspaceId }, orderBy: { percent: "asc" } });
    expect(marks.map((m) => m.percent)).toEqual([80, 100]);
    const window = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" } });
    const notifications = await testDb().notification.findMany({ where: { workspaceId }, orderBy: { subject: "asc" } });
    expect(notifications.map((n) => n.dedupeKey)).toEqual([`threshold:${window.id}:100`, `threshold:${window.id}:80`]);
    // The hot path writes the same words as the TypeScript templates.
    expect(notifications.map((n) => [n.subject, n.body])).toEqual([
      [thresholdSubject("compute", 100), thresholdBody("compute", 100, "2026-11-23T00:00:00.000Z")],
      [thresholdSubject("compute", 80), thresholdBody("compute", 80, "2026-11-23T00:00:00.000Z")],
    ]);
    // The burst sends one email (both thresholds, or the first while the other waits for the cooldown)...
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]!.to).toEqual([ownerEmail]);
    // ...and what waited goes out with the cron once the cooldown is over, each notice exactly once.
    await deliverPendingNotifications(testDb(), { notifier, now: new Date(Date.now() + THRESHOLD_COOLDOWN_MS + 1000) });
    const after = await testDb().notification.findMany({ where: { workspaceId } });
    expect(after.map((n) => [n.status, n.attempts])).toEqual([["sent", 1], ["sent", 1]]);
    // The cron also delivers other tests' pending notices: only this workspace's mail counts.
    const told = sentTo(notifier, ownerEmail).flatMap((m) => (m.data as { items: { subject: string }[] }).items.map((i) => i.subject)).sort();
    expect(told).toEqual(["compute usage reached 100% of its quota", "compute usage reached 80% of its quota"]);
    await expectBooksHold(workspaceId);
  });

  it("an operator's override lowering a lifetime meter under its count marks the thresholds it now stands past; a gauge's is not marked", async () => {
    const total = { feature: "exports", kind: "meter" as const, limit: "10", period: "lifetime" as const, overflow: "block" as const };
    const { workspaceId } = await seedWorkspace({ limits: { seats: "4" }, extra: [total] });
    const op = await testDb().user.create({ data: { email: `op-${uid()}@example.test` } });
    const now = new Date();
    const notifier = recordingNotifier();
    await recordUsage(testDb(), { workspaceId, feature: "exports", units: 6, idempotencyKey: "e", now }, { notifier });
    for (const key of ["s1", "s2", "s3"]) await claimGauge(testDb(), { workspaceId, feature: "seats", idempotencyKey: key, now }, { notifier });
    expect(await testDb().thresholdMark.count({ where: { workspaceId } })).toBe(0);
    const lower = (feature: string, limit: string) =>
      setOverride(testDb(), { id: op.id, email: op.email }, { workspaceId, feature, limit, endsAt: new Date(now.getTime() + 86_400_000), memo: "cap", requestId: `req_${uid()}`, now });
    await lower("exports", "5");
    await lower("seats", "2");
    const windows = await testDb().usageWindow.findMany({ where: { workspaceId, feature: { in: ["exports", "seats"] } }, orderBy: { feature: "asc" } });
    expect(windows.map((w) => [w.feature, w.quota?.toFixed(), w.used.toFixed()])).toEqual([
      ["exports", "5", "6"],
      ["seats", "2", "3"],
    ]);
    // 6 of 5 is past both; the seats at their lowered limit alert no one (claims above it are refused).
    expect((await testDb().thresholdMark.findMany({ where: { workspaceId } })).map((m) => [m.feature, m.percent]).sort()).toEqual([
      ["exports", 100],
      ["exports", 80],
    ]);
    expect(await testDb().notification.count({ where: { workspaceId, kind: "threshold", status: "pending" } })).toBe(2);
  });

  it("one recording that jumps past both records both; later ones record nothing", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "10", overflow: "extras" } });
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 10, checkoutSessionId: `cs_${uid()}` });
    const notifier = recordingNotifier();
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: "7.99", idempotencyKey: "a" }, { notifier, waitForSideEffects: true });
    expect(await testDb().thresholdMark.count({ where: { workspaceId } })).toBe(0);
    // 7.99 -> 12 crosses 80% and 100% in one recording, through the extras path (2 from quota, 2 from extras).
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: "4.01", idempotencyKey: "b" }, { notifier, waitForSideEffects: true });
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: "1", idempotencyKey: "c" }, { notifier, waitForSideEffects: true });
    expect((await testDb().thresholdMark.findMany({ where: { workspaceId } })).map((m) => m.percent).sort()).toEqual([100, 80]);
    // Both crossings of one recording are one email.
    expect(notifier.sent.map((m) => m.subject)).toEqual([expect.stringMatching(/: 2 usage alerts$/)]);
    expect(notifier.sent[0]!.text).toContain("used 80% of its compute quota");
    expect(notifier.sent[0]!.text).toContain("used 100% of its compute quota");
    await expectBooksHold(workspaceId);
  });

  it("a crossing within the cooldown waits, even for the cron, and goes out once after it", async () => {
    const { workspaceId, ownerEmail } = await seedWorkspace({ compute: { limit: "10", overflow: "block" } });
    const notifier = recordingNotifier();
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 8, idempotencyKey: "a" }, { notifier, waitForSideEffects: true });
    expect(notifier.sent).toHaveLength(1);
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 2, idempotencyKey: "b" }, { notifier, waitForSideEffects: true });
    // Within the cooldown: the 100% notice is recorded but not sent, even by the cron.
    expect(notifier.sent).toHaveLength(1);
    await deliverPendingNotifications(testDb(), { notifier });
    expect(sentTo(notifier, ownerEmail)).toHaveLength(1);
    expect((await testDb().notification.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" } })).map((n) => n.status)).toEqual(["sent", "pending"]);
    // After it, the cron sends it, once.
    const later = new Date(Date.now() + THRESHOLD_COOLDOWN_MS + 1000);
    await deliverPendingNotifications(testDb(), { notifier, now: later });
    await deliverPendingNotifications(testDb(), { notifier, now: later });
    expect(sentTo(notifier, ownerEmail).map((m) => m.subject)).toEqual(["compute usage reached 80% of its quota", "compute usage reached 100% of its quota"]);
  });

  it("a failed send never blocks metering; the cron sends it later", async () => {
    const { workspaceId, ownerEmail } = await seedWorkspace({ compute: { limit: "10", overflow: "block" } });
    const broken = recordingNotifier({ fail: true });
    const answer = await recordUsage(testDb(), { workspaceId, feature: "compute", units: 9, idempotencyKey: "a" }, { notifier: broken, waitForSideEffects: true });
    expect(answer).toMatchObject({ allowed: true, remaining: "1" });
    const failed = await testDb().notification.findFirstOrThrow({ where: { workspaceId } });
    expect([failed.status, failed.attempts, failed.error]).toEqual(["failed", 1, "SMTP server refused the connection"]);
    const working = recordingNotifier();
    const r = await deliverPendingNotifications(testDb(), { notifier: working });
    expect(r.sent).toBeGreaterThanOrEqual(1);
    expect((await testDb().notification.findUniqueOrThrow({ where: { id: failed.id } })).status).toBe("sent");
    expect(sentTo(working, ownerEmail).map((m) => m.subject)).toEqual(["compute usage reached 80% of its quota"]);
  });

  it("threshold notices waiting out their cooldown do not keep a newer message out of the cron's batch", async () => {
    const cooling = await seedWorkspace({ compute: { limit: "10", overflow: "block" } });
    const other = await seedWorkspace({ compute: { limit: "10", overflow: "block" } });
    const now = new Date();
    // One notice just sent, and 150 older ones still pending behind its cooldown (the oldest rows of the table).
    await testDb().notification.create({ data: { workspaceId: cooling.workspaceId, kind: "threshold", subject: "sent", body: "b", dedupeKey: "sent", status: "sent", sentAt: now } });
    await testDb().notification.createMany({
      data: Array.from({ length: 150 }, (_, i) => ({
        workspaceId: cooling.workspaceId, kind: "threshold", subject: `waiting ${i}`, body: "b", dedupeKey: `waiting-${i}`, createdAt: new Date(Date.UTC(1999, 0, 1, 0, 0, i)),
      })),
    });
    const receipt = await testDb().notification.create({
      data: { workspaceId: other.workspaceId, kind: "notice", subject: "Receipt: 500 compute", body: "b", dedupeKey: uid(), createdAt: new Date(Date.UTC(2000, 0, 1)) },
    });
    const notifier = recordingNotifier();
    await deliverPendingNotifications(testDb(), { notifier, now, limit: 100 });
    expect(sentTo(notifier, other.ownerEmail).map((m) => m.subject)).toEqual(["Receipt: 500 compute"]);
    expect((await testDb().notification.findUniqueOrThrow({ where: { id: receipt.id } })).status).toBe("sent");
    // The waiting ones are still waiting, untouched.
    const waiting = await testDb().notification.findMany({ where: { workspaceId: cooling.workspaceId, status: "pending" } });
    expect([waiting.length, waiting.every((n) => n.attempts === 0)]).toEqual([150, true]);
  });

  describe("with a long history", () => {
    const workspaceId = `ws-history-${uid()}`;
    const others = `ws-history-others-${uid()}`;
    const hour = 3_600_000;

    /** How each statement reads Notification: the index and its condition, or a table scan. */
    async function notificationScans(query: Prisma.Sql) {
      const [explained] = await testDb().$queryRaw<{ "QUERY PLAN": unknown }[]>(Prisma.sql`EXPLAIN (FORMAT JSON) ${query}`);
      const scans = planNodes(explained!["QUERY PLAN"], (node) =>
        (node["Relation Name"] === "Notification" || (node["Index Name"] as string | undefined)?.startsWith("Notification_") === true)
        && node["Node Type"] !== "Bitmap Heap Scan" && node["Node Type"] !== "ModifyTable");
      return scans.map((s) => ({ type: s.node, index: s.index, cond: s.cond }));
    }

    // One workspace with 3,000 threshold notices sent over the months, and 3,000 notices elsewhere that gave up after
    // their 5 attempts; statistics that know it.
    async function seedHistory() {
      const now = Date.now();
      await testDb().$executeRaw`
        INSERT INTO "Notification" (id, "workspaceId", kind, subject, body, "dedupeKey", status, attempts, "createdAt", "sentAt")
        SELECT ${workspaceId} || '-' || g, ${workspaceId}, 'threshold', 's', 'b', 'sent-' || g, 'sent', 1, t, t
        FROM generate_series(1, 3000) g, LATERAL (SELECT ${new Date(now - hour)}::timestamp(3) - g * interval '1 hour' AS t) x`;
      await testDb().$executeRaw`
        INSERT INTO "Notification" (id, "workspaceId", kind, subject, body, "dedupeKey", status, attempts, error, "createdAt")
        SELECT ${others} || '-' || g, ${others} || '-' || (g % 100), 'notice', 's', 'b', 'gave-up-' || g, 'failed', 5, 'refused',
          ${new Date(now - 400 * 24 * hour)}::timestamp(3) + g * interval '1 hour'
        FROM generate_series(1, 3000) g`;
      await testDb().notification.createMany({
        data: [0, 1].map((i) => ({ workspaceId, kind: "threshold", subject: `waiting ${i}`, body: "b", dedupeKey: `waiting-${i}` })),
      });
      await testDb().$executeRawUnsafe(`ANALYZE "Notification"`);
    }

    const cleanUp = () => testDb().notification.deleteMany({ where: { OR: [{ workspaceId }, { workspaceId: { startsWith: others } }] } });

    it("a crossing claims the workspace's due notices without reading its sent ones", async () => {
      try {
        await seedHistory();
        const scans = await notificationScans(claimThresholdsSql(workspaceId, new Date()));
        expect(scans.map((s) => s.index ?? s.type)).toEqual(["Notification_workspaceId_kind_due_idx"]);
      } finally {
        await cleanUp();
      }
    });

    it("the cron finds what is due without reading the sent or given-up notifications", async () => {
      try {
        await seedHistory();
        const scans = await notificationScans(dueNotificationsSql(new Date(), 100));
        // Oldest due first, from the due rows only.
        expect(scans[0]?.index).toBe("Notification_createdAt_due_idx");
        // The cooldown check reads recent sends (one workspace's, or everyone's of the last minutes) and the sends
        // in progress: never a table scan, nor every workspace's threshold history.
        const history = scans.slice(1).filter((s) =>
          !s.index
          || (s.index === "Notification_workspaceId_kind_sentAt_idx" && !s.cond?.includes('"workspaceId" ='))
          || (s.index === "Notification_status_createdAt_idx" && !s.cond?.includes("'sending'")));
        expect(history).toEqual([]);
      } finally {
        await cleanUp();
      }
    });
  });
});
