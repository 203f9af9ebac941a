import { afterAll, expect, it } from "vitest";
import { pruneStripeEvents } from "@/lib/cron/jobs";
import { recordingDb, scansOf } from "../../helpers/query-plans";
import { closeTestDb, testDb, uid } from "../billing/helpers";

const recorder = recordingDb();
afterAll(async () => {
  await recorder.close();
  await closeTestDb();
});

const DAY = 86_400_000;

it("prunes old Stripe event records but the failed ones, reading only the rows it deletes", async () => {
  const run = `prune-${uid()}`;
  const now = Date.now();
  const before = new Date(now - 30 * DAY);
  try {
    // A month of recent events and years of failed ones kept for operators, all known to the statistics; among
    // them, old processed and received events to prune.
    await testDb().$executeRaw`
      INSERT INTO "StripeEvent" (id, type, status, payload, "receivedAt")
      SELECT ${run} || '-' || g, 'invoice.paid', CASE WHEN g <= 20000 THEN 'processed' ELSE 'failed' END::"WebhookStatus", '{}',
             CASE WHEN g <= 20000 THEN ${new Date(now - DAY)}::timestamp - (g || ' seconds')::interval ELSE ${before}::timestamp - (g || ' minutes')::interval END
      FROM generate_series(1, 40000) g`;
    await testDb().$executeRaw`
      INSERT INTO "StripeEvent" (id, type, status, payload, "receivedAt")
      SELECT ${run} || '-old-' || g, 'invoice.paid', CASE WHEN g % 2 = 0 THEN 'processed' ELSE 'received' END::"WebhookStatus", '{}',
             ${before}::timestamp - (g || ' hours')::interval
      FROM generate_series(1, 30) g`;
    await testDb().$executeRawUnsafe(`ANALYZE "StripeEvent"`);

    recorder.statements.length = 0;
    // At least this test's 30 (another file may have left old events in this database).
    expect(await pruneStripeEvents(recorder.db, before, now + 60_000)).toBeGreaterThanOrEqual(30);
    expect(await testDb().stripeEvent.count({ where: { id: { startsWith: `${run}-old-` } } })).toBe(0);
    const left = await testDb().stripeEvent.groupBy({ by: ["status"], where: { id: { startsWith: run } }, _count: { _all: true }, orderBy: { status: "asc" } });
    expect(left.map((g) => [g.status, g._count._all])).toEqual([["processed", 20000], ["failed", 20000]]);
    // Each batch's search reads a range of the (status, receivedAt) index, not the 40,000 rows kept.
    const searches = recorder.statements.filter((s) => /^\s*SELECT/i.test(s.text) && s.text.includes('"StripeEvent"'));
    const reads = await Promise.all(searches.map((s) => scansOf(recorder.pool, s, "StripeEvent")));
    expect(reads.length).toBeGreaterThan(0);
    for (const scans of reads) {
      expect(scans.map((s) => s.index)).toEqual(["StripeEvent_status_receivedAt_idx"]);
      expect(scans[0]!.rows).toBeLessThan(200);
    }
  } finally {
    await testDb().stripeEvent.deleteMany({ where: { id: { startsWith: run } } });
    await testDb().$executeRawUnsafe(`ANALYZE "StripeEvent"`);
  }
});
