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
