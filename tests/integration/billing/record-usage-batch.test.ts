import { PrismaPg } from "@prisma/adapter-pg";
import fc from "fast-check";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { recordUsage, recordUsageBatch, topupExtras, type BatchEventInput, type BatchOutcome } from "@/lib/billing";
import type { EntitlementSpec } from "@/lib/billing/catalog";
import { isAppError } from "@/lib/errors";
import { LOCK_SQL } from "@/lib/billing/batch-run";
import { planNodes } from "../../helpers/query-plans";
import { closeTestDb, expectBooksHold, seedWorkspace, testDb, uid, writtenRows } from "./helpers";

// The app's client runs a batch's transactions on its pg pool; a client without one runs them through Prisma.
const prismaOnly = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: 4 }) });

afterAll(async () => {
  await prismaOnly.$disconnect();
  await closeTestDb();
});

const silent = { notifier: { async send() {} } };

// compute: quota 10, overflow paid from extras (8 units topped up); exports: quota 5, blocks; tokens: quota 4,
// soft; seats is a gauge and teleports is not in the plan.
const extra: EntitlementSpec[] = [
  { feature: "exports", kind: "meter", limit: "5", period: "month", overflow: "block" },
  { feature: "tokens", kind: "meter", limit: "4", period: "day", overflow: "soft" },
];

async function freshWorkspace() {
  const { workspaceId } = await seedWorkspace({ compute: { limit: "10", overflow: "extras" }, extra });
  await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 8, checkoutSessionId: `cs_${uid()}` });
  return workspaceId;
}

/** What a caller can see of an outcome: the answer, or the error's code, message and details. */
const seen = (o: BatchOutcome) => (o.ok ? { answer: o.answer } : { code: o.error.code, message: o.error.message, details: o.error.details });

/** The same events recorded one by one, in order, at the same time. */
async function oneByOne(workspaceId: string, events: BatchEventInput[], now: Date): Promise<BatchOutcome[]> {
  const out: BatchOutcome[] = [];
  for (const e of events) {
    try {
      out.push({ ok: true, answer: await recordUsage(testDb(), { workspaceId, ...e, now }, silent) });
    } catch (err) {
      if (!isAppError(err)) throw err;
      out.push({ ok: false, error: err });
    }
  }
  return out;
}

/** Everything the events wrote, keyed so two workspaces compare: events, windows, extras, marks. */
async function books(workspaceId: string) {
  const db = testDb();
  const [events, windows, account, entries, marks] = await Promise.all([
    db.usageEvent.findMany({ where: { workspaceId }, orderBy: { idempotencyKey: "asc" } }),
    db.usageWindow.findMany({ where: { workspaceId }, orderBy: { feature: "asc" } }),
    db.extrasAccount.findUniqueOrThrow({ where: { workspaceId } }),
    db.ledgerEntry.findMany({ where: { workspaceId }, orderBy: { seq: "asc" } }),
    db.thresholdMark.findMany({ where: { workspaceId }, orderBy: [{ feature: "asc" }, { percent: "asc" }] }),
  ]);
  return {
    events: events.map((e) => ({
      key: e.idempotencyKey,
      feature: e.feature,
      units: e.units.toFixed(),
      quotaUnits: e.quotaUnits.toFixed(),
      extrasUnits: e.extrasUnits.toFixed(),
      requestHash: e.requestHash,
      response: e.response,
      metadata: e.metadata,
    })),
    windows: windows.map((w) => [w.feature, w.used.toFixed()]),
    balance: account.balance.toFixed(),
    entries: entries.map((e) => [e.kind, e.units.toFixed(), e.balanceAfter.toFixed()]),
    marks: marks.map((m) => [m.feature, m.percent]),
  };
}

async function expectSameAsOneByOne(events: BatchEventInput[], client: PrismaClient = testDb()) {
  const [inBatch, single] = await Promise.all([freshWorkspace(), freshWorkspace()]);
  const now = new Date();
  const batch = await recordUsageBatch(client, { workspaceId: inBatch, events, now }, silent);
  const alone = await oneByOne(single, events, now);
  expect(batch.map(seen)).toEqual(alone.map(seen));
  expect(await books(inBatch)).toEqual(await books(single));
  // A replay of the whole batch answers what recording the events one by one again answers.
  const again = await recordUsageBatch(client, { workspaceId: inBatch, events, now }, silent);
  const aloneAgain = await oneByOne(single, events, now);
  expect(again.map(seen)).toEqual(aloneAgain.map(seen));
  expect(await books(inBatch)).toEqual(await books(single));
}

const units = fc.constantFrom<number | string>(1, 2, 3, 6, "0.5", "2.25");
const costs = fc.constantFrom({ action: "small" }, { action: "medium" }, { action: "huge" }, { action: "constructor" }, { dollars: "0.01" });
const event: fc.Arbitrary<BatchEventInput> = fc
  .record({
    feature: fc.constantFrom("compute", "compute", "compute", "exports", "tokens", "api_calls", "seats", "teleports"),
    amount: fc.oneof({ weight: 4, arbitrary: units.map((u) => ({ units: u })) }, { weight: 1, arbitrary: costs.map((c) => ({ costs: c })) }),
    key: fc.nat(9),
    metadata: fc.option(fc.constant({ run: 1 }), { freq: 4 }),
  })
  .map(({ feature, amount, key, metadata }) => ({ feature, ...amount, idempotencyKey: `k${key}`, ...(metadata ? { metadata } : {}) }));

describe("recordUsageBatch", () => {
  it("answers and writes exactly what recording the events one by one answers and writes (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 16 }), async (events) => {
        await expectSameAsOneByOne(events);
      }),
      { numRuns: 25 },
    );
  }, 240_000);

  it("an event of another feature after an overflow paid from extras sees the balance that overflow left", async () => {
    const events = [
      { feature: "compute", units: 12, idempotencyKey: "overflow" }, // 10 of quota + 2 from extras: 6 left
      { feature: "exports", units: 1, idempotencyKey: "after" },
      { feature: "compute", units: 1, idempotencyKey: "more" }, // 1 more from extras: 5 left
      { feature: "tokens", units: 9, idempotencyKey: "soft" },
      { feature: "exports", units: 5, idempotencyKey: "blocked" }, // 4 left: refused, the refusal says 5 in extras
    ];
    await expectSameAsOneByOne(events);
    await expectSameAsOneByOne(events, prismaOnly);
    const workspaceId = await freshWorkspace();
    const [, after, , soft] = await recordUsageBatch(testDb(), { workspaceId, events }, silent);
    expect(after).toMatchObject({ ok: true, answer: { feature: "exports", remaining: "4", extrasRemaining: "6" } });
    expect(soft).toMatchObject({ ok: true, answer: { feature: "tokens", remaining: "0", extrasRemaining: "5" } });
    const stored = await testDb().usageEvent.findFirstOrThrow({ where: { workspaceId, idempotencyKey: "after" } });
    expect(stored.response).toMatchObject({ extrasRemaining: "6" });
    await expectBooksHold(workspaceId);
  });

  it("a key refused earlier in the batch is decided again when it comes back, as it would be alone", async () => {
    await expectSameAsOneByOne([
      { feature: "exports", units: 6, idempotencyKey: "k" }, // over the blocking quota of 5: refused, nothing stored
      { feature: "exports", units: 2, idempotencyKey: "k" }, // a new request under that key: accepted
      { feature: "exports", units: 2, idempotencyKey: "k" }, // a replay of the accepted one
      { feature: "exports", units: 3, idempotencyKey: "k" }, // another payload: conflict
    ]);
  });

  it("concurrent batches over several features, in any order, with single calls: quotas hold, every event answered", async () => {
    const workspaceId = await freshWorkspace();
    const features = ["compute", "exports", "tokens"];
    const batches = Array.from({ length: 6 }, (_, b) =>
      recordUsageBatch(
        testDb(),
        {
          workspaceId,
          // Each batch names the features in another order.
          events: Array.from({ length: 30 }, (_, i) => ({ feature: features[(i + b) % 3]!, units: "0.5", idempotencyKey: `b${b}-${i}` })),
        },
        silent,
      ),
    );
    const singles = Array.from({ length: 30 }, (_, i) =>
      recordUsage(testDb(), { workspaceId, feature: features[i % 3]!, units: "0.5", idempotencyKey: `s${i}` }, silent).then(
        () => "ok",
        (e: unknown) => (isAppError(e) ? e.code : Promise.reject(e)),
      ),
    );
    const [outcomes, single] = await Promise.all([Promise.all(batches), Promise.all(singles)]);
    const codes = [...outcomes.flat().map((o) => (o.ok ? "ok" : o.error.code)), ...single];
    expect(new Set(codes)).toEqual(new Set(["ok", "quota_exhausted"]));
    const accepted = codes.filter((c) => c === "ok").length;
    const windows = await testDb().usageWindow.findMany({ where: { workspaceId }, orderBy: { feature: "asc" } });
    const used = Object.fromEntries(windows.map((w) => [w.feature, w.used.toFixed()]));
    // compute: 10 of quota + 8 of extras; exports blocks at 5; tokens is soft, so all 70 of its events count.
    expect(used).toEqual({ compute: "10", exports: "5", tokens: "35" });
    const account = await testDb().extrasAccount.findUniqueOrThrow({ where: { workspaceId } });
    expect(account.balance.toFixed()).toBe("0");
    expect(accepted).toBe(36 + 10 + 70);
    expect(await testDb().usageEvent.count({ where: { workspaceId } })).toBe(accepted);
    await expectBooksHold(workspaceId);
  });

  it("an action named like an Object.prototype property is one invalid event; the rest of the batch is recorded", async () => {
    const workspaceId = await freshWorkspace();
    const actions = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"];
    const events: BatchEventInput[] = [
      { feature: "exports", units: 1, idempotencyKey: "first" },
      ...actions.map((action) => ({ feature: "compute", costs: { action }, idempotencyKey: `bad-${action}` })),
      { feature: "compute", costs: { action: "small" }, idempotencyKey: "good" },
    ];
    const out = await recordUsageBatch(testDb(), { workspaceId, events }, silent);
    expect(out[0]).toMatchObject({ ok: true });
    for (const o of out.slice(1, -1)) {
      expect(o.ok).toBe(false);
      expect(!o.ok && { code: o.error.code, field: o.error.details?.field }).toEqual({ code: "invalid_request", field: "costs.action" });
    }
    expect(out.at(-1)).toMatchObject({ ok: true, answer: { units: "2" } });
    const rows = await writtenRows(workspaceId);
    expect({ events: rows.events, used: rows.used }).toEqual({ events: 2, used: "3" });
    expect(await testDb().usageEvent.count({ where: { workspaceId, idempotencyKey: { startsWith: "bad-" } } })).toBe(0);
    await expectBooksHold(workspaceId);
  });

  it("looks a batch's keys up in the (workspace, key) index however many events the workspace has", async () => {
    const workspaceId = await freshWorkspace();
    const [first] = await recordUsageBatch(testDb(), { workspaceId, events: [{ feature: "tokens", units: 1, idempotencyKey: "seed" }] }, silent);
    expect(first).toMatchObject({ ok: true });
    const { id: windowId } = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "tokens" } });
    // A long history: 20,000 earlier events of this workspace, and statistics that know it.
    await testDb().$executeRaw`
      INSERT INTO "UsageEvent" (id, "workspaceId", feature, "windowId", units, "quotaUnits", "idempotencyKey", "requestHash", response)
      SELECT 'hist-' || ${workspaceId} || '-' || g, ${workspaceId}, 'tokens', ${windowId}, 0, 0, 'hist-' || g, 'h', '{}'::jsonb
      FROM generate_series(1, 20000) g`;
    await testDb().$executeRawUnsafe(`ANALYZE "UsageEvent"`);
    // The history would weigh on every later reader of this database (crons, the invariant checks).
    onTestFinished(() => testDb().$executeRaw`DELETE FROM "UsageEvent" WHERE "workspaceId" = ${workspaceId} AND "idempotencyKey" LIKE 'hist-%'`.then(() => undefined));
    const keys = Array.from({ length: 1000 }, (_, i) => `new-${i}`);
    const [explained] = await testDb().$queryRawUnsafe<{ "QUERY PLAN": unknown }[]>(`EXPLAIN (FORMAT JSON) ${LOCK_SQL}`, workspaceId, ["tokens"], new Date().toISOString(), keys);
    const scans = planNodes(explained!["QUERY PLAN"], (node) => node["Relation Name"] === "UsageEvent").map((s) => ({ type: s.node, index: s.index }));
    // One probe per key: no scan over the workspace's events (by its other indexes or the table).
    expect(scans).toEqual([{ type: "Index Scan", index: "UsageEvent_workspaceId_idempotencyKey_key" }]);
  });
});
