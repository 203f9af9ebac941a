// Item: a recording that loses a deadlock is rolled back whole by PostgreSQL; the engine tries it again
// instead of answering 500, and the books hold. The deadlock is real: another session takes the extras
// account and then the window, the opposite of the extras path's order (window, then account).
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { checkInvariants, recordUsage, topupExtras } from "@/lib/billing";
import { chaosDb, closeDb, seedWorkspace, uid } from "./helpers";

afterAll(() => closeDb());

const silent = { notifier: { async send() {} } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a deadlock on the extras path", () => {
  it("is retried: the recording is answered and written once, and the books hold", async () => {
    const db = chaosDb();
    const { workspaceId } = await seedWorkspace(db, { compute: { limit: "10", overflow: "extras", period: "month" } });
    await recordUsage(db, { workspaceId, feature: "compute", units: 10, idempotencyKey: `quota-${uid()}` }, silent);
    await topupExtras(db, { workspaceId, pack: "compute_500", paymentIntentId: `pi_deadlock_${uid()}` });
    const window = await db.usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" }, select: { id: true } });

    const other = new pg.Client({ connectionString: inject("chaosDatabaseUrl") });
    await other.connect();
    try {
      // This session never detects the deadlock itself (the checker runs in a session that waits this long),
      // so the recording's session is the one PostgreSQL aborts.
      await other.query("SET deadlock_timeout = '60s'");
      const otherPid = (await other.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      await other.query("BEGIN");
      await other.query(`SELECT 1 FROM "ExtrasAccount" WHERE "workspaceId" = $1 FOR UPDATE`, [workspaceId]);
      const key = `deadlock-${uid()}`;
      const recording = recordUsage(db, { workspaceId, feature: "compute", units: 3, idempotencyKey: key }, silent).then(
        (answer) => ({ answer }),
        (error: unknown) => ({ error }),
      );
      // The recording holds the window and waits for the account (seen from outside this session's transaction,
      // whose view of pg_stat_activity would not change)...
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
