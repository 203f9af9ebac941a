// The model-based test of the books: random sequences of metering, extras, refunds, expiry, renewals and plan
// changes, run against the real engine on the test database and against the reference model (model.ts),
// compared answer by answer and state by state. A difference shrinks to a minimal sequence, printed as a test.
import { afterAll, expect, test } from "vitest";
import fc from "fast-check";
import { closeTestDb, testDb, ON_PGLITE } from "../integration/billing/helpers";
import { asTest, configArb, coverage, Difference, opArb, runSequence, type Config, type Op } from "./sequence";

// 200 sequences of 50 steps on PostgreSQL; the embedded PGlite (one connection, one core) runs fewer.
const SEQUENCES = Number(process.env.MODEL_SEQUENCES ?? (ON_PGLITE ? 25 : 200));
const STEPS = Number(process.env.MODEL_STEPS ?? 50);
const SEED = process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : undefined;

afterAll(closeTestDb);

/** The message of the difference a sequence ends on, or null when engine and model agree throughout. */
async function differenceOf(config: Config, ops: Op[]): Promise<string | null> {
  try {
    await runSequence(testDb(), config, ops);
    return null;
  } catch (e) {
    if (e instanceof Difference) return e.message;
    throw e;
  }
}

/** Drops every step whose removal still leaves a difference: what is left is needed to show it. */
async function minimise(config: Config, ops: Op[]): Promise<{ ops: Op[]; message: string }> {
  let message = (await differenceOf(config, ops))!;
  let kept = ops;
  for (let i = kept.length - 1; i >= 0; i--) {
    const shorter = [...kept.slice(0, i), ...kept.slice(i + 1)];
    const m = await differenceOf(config, shorter);
    if (m) [kept, message] = [shorter, m];
  }
  return { ops: kept, message };
}

test("the engine and the reference model agree on random sequences", async () => {
  let sequences = 0;
  let steps = 0;
  const started = Date.now();
  const result = await fc.check(
    fc.asyncProperty(configArb, fc.array(opArb, { minLength: STEPS, maxLength: STEPS }), async (config: Config, ops: Op[]) => {
      const r = await runSequence(testDb(), config, ops);
      sequences++;
      steps += r.steps;
    }),
    { numRuns: SEQUENCES, seed: SEED, endOnFailure: true },
  );
  console.log(`model.sequences ${sequences + (result.failed ? 1 : 0)}`);
  console.log(`model.steps ${steps}`);
  console.log(`model.differences ${result.failed ? 1 : 0}`);
  console.log(`model.coverage ${JSON.stringify(coverage)}`);
  console.log(`model.seconds ${((Date.now() - started) / 1000).toFixed(1)}`);
  if (result.failed && result.counterexample) {
    const [config, ops] = result.counterexample as [Config, Op[]];
    if (!(result.errorInstance instanceof Difference)) throw result.errorInstance;
    const minimal = await minimise(config, ops);
    console.log(`model: seed ${result.seed}; minimal failing sequence (${minimal.ops.length} of ${ops.length} steps):\n${minimal.message}\n\n${asTest(config, minimal.ops)}`);
  }
  expect(result.failed ? 1 : 0).toBe(0);
}, 900_000);

// Disputes, written out: a disputed pack whose units were spent leaves debt the other packs pay; a won dispute
// gives the units back, and after the pack expired only clears its debt.
test("regression: a dispute of a spent pack is settled from another pack, and won gives the units back", async () => {
  await runSequence(testDb(), { period: "week", anchorDay: 28, anchorMonth: 0, startAfterDays: 3, level: 0 }, [
    { op: "topup", units: "50", cents: 1000, days: 30 },
    { op: "record", feature: "compute", units: "130", key: { kind: "new" } },
    { op: "topup", units: "40", cents: 800, days: 10 },
    { op: "dispute", pick: 0, cents: "full" },
    { op: "dispute_closes", pick: 0, won: true },
    { op: "record", feature: "compute", units: "20", key: { kind: "new" } },
  ]);
});

test("regression: a dispute won after its pack expired only clears the pack's debt; a lost one moves nothing", async () => {
  await runSequence(testDb(), { period: "day", anchorDay: 30, anchorMonth: 2, startAfterDays: 0, level: 0 }, [
    { op: "topup", units: "30", cents: 600, days: 1 },
    { op: "record", feature: "compute", units: "110", key: { kind: "new" } },
    { op: "dispute", pick: 0, cents: 300 },
    { op: "topup", units: "10", cents: 200, days: null },
    { op: "dispute", pick: 1, cents: "full" },
    { op: "advance", ms: 2 * 86_400_000 },
    { op: "expire" },
    { op: "dispute_closes", pick: 0, won: true },
    { op: "dispute_closes", pick: 0, won: false },
  ]);
});

// A pack past its expiry that the expiry run has not closed yet: a refund or a dispute of it closes it first, so
// what it takes back is what it would take after the run (the spent part), whichever came first.
test("regression: a refund or a dispute of a pack past its expiry, before the expiry run, takes back what it would after it", async () => {
  await runSequence(testDb(), { period: "week", anchorDay: 28, anchorMonth: 0, startAfterDays: 3, level: 0 }, [
    { op: "topup", units: "100", cents: 2000, days: 1 },
    { op: "topup", units: "100", cents: 2000, days: 1 },
    { op: "topup", units: "100", cents: 2000, days: null },
    { op: "record", feature: "compute", units: "180", key: { kind: "new" } },
    { op: "advance", ms: 2 * 86_400_000 },
    { op: "refund", pick: 0, cents: 1000 },
    { op: "dispute", pick: 1, cents: "full" },
    { op: "expire" },
    { op: "record", feature: "compute", units: "30", key: { kind: "new" } },
  ]);
});

// A plan's grant came with a paid invoice: refunding that invoice takes the grant back in proportion, like a pack.
test("regression: a refund of the invoice a grant came with takes the grant back in proportion", async () => {
  await runSequence(testDb(), { period: "week", anchorDay: 28, anchorMonth: 0, startAfterDays: 3, level: 0 }, [
    { op: "grant", units: "500", days: 30, cents: 9900 },
    { op: "record", feature: "compute", units: "150", key: { kind: "new" } },
    { op: "refund", pick: 0, cents: 4950 },
    { op: "refund", pick: 0, cents: "full" },
    { op: "record", feature: "compute", units: "10", key: { kind: "new" } },
  ]);
});

// A crossing made while payment was overdue starts no purchase; once paid up, a replayed event (which debits
// nothing) starts none either: the next debit or the sweep decides.
test("regression: a replay after payment is back buys no pack for a crossing made while overdue", async () => {
  await runSequence(testDb(), { period: "week", anchorDay: 29, anchorMonth: 11, startAfterDays: 9, level: 0 }, [
    { op: "record", feature: "compute", units: "59.5", key: { kind: "new" } },
    { op: "overdue", overdue: true },
    { op: "auto_top_up", threshold: "128.000001", monthlyCap: 2 },
    { op: "upgrade" },
    { op: "grant", units: "44.123456", days: 30 },
    { op: "batch", events: [
      { feature: "compute", units: "60", key: { kind: "new" } }, { feature: "compute", units: "17", key: { kind: "new" } },
      { feature: "compute", units: "43.5", key: { kind: "new" } }, { feature: "compute", units: "47.123456", key: { kind: "new" } },
      { feature: "compute", units: "57", key: { kind: "new" } }, { feature: "compute", units: "28.000001", key: { kind: "new" } },
    ] },
    { op: "overdue", overdue: false },
    { op: "record", feature: "compute", units: "27", key: { kind: "replay", pick: 896 } },
    { op: "auto_top_up_race" },
  ]);
});
