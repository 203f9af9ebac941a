// Item: a recording whose transaction PostgreSQL aborts to break a lock cycle is tried again by the engine
// instead of failing (which the API would answer 503 billing_unavailable), and the books hold. The cycle is real but made by
// hand: no code of the app takes the extras account before the window; another session here does, then asks
// for the window that the recording's extras path holds while it waits for the account.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkInvariants, recordUsage, seedCatalog, topupExtras } from "@/lib/billing";
import { createDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { migrateDeploy } from "../../scripts/lib/migrate";
import { startOwnCluster, type OwnCluster } from "../../scripts/lib/pg-cluster";
import { seedWorkspace, uid } from "./helpers";

// A cluster of its own: real PostgreSQL whatever the suite's database is, and a superuser to set the
// deadlock timeouts that decide which session is aborted.
let cluster: OwnCluster;
let db: PrismaClient;
beforeAll(async () => {
  cluster = await startOwnCluster();
  await migrateDeploy(cluster.url);
  // PostgreSQL looks for a cycle once, deadlock_timeout after a session starts waiting: the app's sessions
  // look after 3 s, by when the other session below surely waits too; that one never looks (60 s), so the
  // recording is the session aborted.
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query("ALTER DATABASE postgres SET deadlock_timeout = '3s'");
  await admin.end();
  db = createDb(cluster.url, 4);
  await seedCatalog(db);
});
afterAll(async () => {
  await db?.$disconnect();
  cluster?.destroy();
});

const silent = { notifier: { async send() {} } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a deadlock on the extras path", () => {
  it("is retried: the recording is answered and written once, and the books hold", async () => {
    const { workspaceId } = await seedWorkspace(db, { compute: { limit: "10", overflow: "extras", period: "month" } });
    await recordUsage(db, { workspaceId, feature: "compute", units: 10, idempotencyKey: `quota-${uid()}` }, silent);
    await topupExtras(db, { workspaceId, pack: "compute_500", paymentIntentId: `pi_deadlock_${uid()}` });
    const window = await db.usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" }, select: { id: true } });

    const other = new pg.Client({ connectionString: cluster.url });
    await other.connect();
    try {
      await other.query("SET deadlock_timeout = '60s'");
      // If the timing ever misses (no cycle when the recording looked), fail here in seconds, not in a minute.
      await other.query("SET lock_timeout = '10s'");
      const otherPid = (await other.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      await other.query("BEGIN");
      await other.query(`SELECT 1 FROM "ExtrasAccount" WHERE "workspaceId" = $1 FOR UPDATE`, [workspaceId]);
      const key = `deadlock-${uid()}`;
      const recording = recordUsage(db, { workspaceId, feature: "compute", units: 3, idempotencyKey: key }, silent).then(
        (answer) => ({ answer }),
        (error: unknown) => ({ error }),
      );
      // The recording locks the window and waits for the account (watched from outside this session's
      // transaction, whose view of pg_stat_activity would not change)...
      const deadline = Date.now() + 10_000;
      const blocked = () => db.$queryRaw<unknown[]>`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND ${otherPid} = ANY(pg_blocking_pids(pid))`;
      while ((await blocked()).length === 0) {
        if (Date.now() > deadline) throw new Error("the recording never waited for the account");
        await sleep(10);
      }
      // ...and this session asks for the window: a cycle, which PostgreSQL breaks by aborting the recording.
      await other.query(`SELECT 1 FROM "UsageWindow" WHERE id = $1 FOR UPDATE`, [window.id]);
      await other.query("COMMIT");

      const outcome = await recording;
      expect("error" in outcome ? String((outcome.error as Error).message) : "").toBe("");
      expect("answer" in outcome && outcome.answer).toMatchObject({ allowed: true, remaining: "0", extrasRemaining: "497" });
      expect(await db.usageEvent.count({ where: { workspaceId, idempotencyKey: key } })).toBe(1);
      expect(await db.extrasAccount.findUniqueOrThrow({ where: { workspaceId }, select: { balance: true } }).then((a) => a.balance.toFixed())).toBe("497");
      expect(await checkInvariants(db, { workspaceId })).toEqual([]);
    } finally {
      await other.end();
    }
  });
});
