// The model-based test of subscriptions: random sequences of trials, checkouts, renewals, failed payments,
// plan changes and cancellations through the Stripe emulator, with webhooks delivered in order, reversed or
// shuffled with duplicates, compared with the lifecycle model after every step (lifecycle.ts).
import { afterAll, beforeAll, expect, test } from "vitest";
import fc from "fast-check";
import { startPayments, type PaymentsEnv } from "../integration/payments/helpers";
import { ON_PGLITE } from "../integration/billing/helpers";
import { deliveryArb, LifecycleDifference, lifecycleCoverage, lifecycleOpArb, runLifecycle, type Delivery, type LifecycleOp } from "./lifecycle";

const SEQUENCES = Number(process.env.LIFECYCLE_SEQUENCES ?? (ON_PGLITE ? 5 : 30));
const STEPS = Number(process.env.LIFECYCLE_STEPS ?? 20);
const SEED = process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : undefined;

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments();
});
afterAll(async () => {
  await env?.stop();
});

async function differenceOf(delivery: Delivery, ops: LifecycleOp[]): Promise<string | null> {
  try {
    await runLifecycle(env, delivery, ops);
    return null;
  } catch (e) {
    if (e instanceof LifecycleDifference) return e.message;
    throw e;
  }
}

test("subscriptions follow the lifecycle model whatever order Stripe's events arrive in", async () => {
  let sequences = 0;
  let steps = 0;
  const result = await fc.check(
    fc.asyncProperty(deliveryArb, fc.array(lifecycleOpArb, { minLength: STEPS, maxLength: STEPS }), async (delivery, ops) => {
      steps += (await runLifecycle(env, delivery, ops)).steps;
      sequences++;
    }),
    { numRuns: SEQUENCES, seed: SEED, endOnFailure: true },
  );
  console.log(`model.lifecycle.sequences ${sequences + (result.failed ? 1 : 0)}`);
  console.log(`model.lifecycle.steps ${steps}`);
  console.log(`model.lifecycle.coverage ${JSON.stringify(lifecycleCoverage)}`);
  console.log(`model.lifecycle.differences ${result.failed ? 1 : 0}`);
  if (result.failed && result.counterexample) {
    if (!(result.errorInstance instanceof LifecycleDifference)) throw result.errorInstance;
    const [delivery, ops] = result.counterexample as [Delivery, LifecycleOp[]];
    let kept = ops;
    let message = (await differenceOf(delivery, kept))!;
    for (let i = kept.length - 1; i >= 0; i--) {
      const shorter = [...kept.slice(0, i), ...kept.slice(i + 1)];
      const m = await differenceOf(delivery, shorter);
      if (m) [kept, message] = [shorter, m];
    }
    console.log(`model.lifecycle: seed ${result.seed}; minimal failing sequence (${kept.length} of ${ops.length} steps):\n${message}\n\n` +
      `test("regression: <what it shows>", async () => {\n  await runLifecycle(env, ${JSON.stringify(delivery)}, [\n${kept.map((o) => `    ${JSON.stringify(o)},`).join("\n")}\n  ]);\n});`);
  }
  expect(result.failed ? 1 : 0).toBe(0);
}, 900_000);

// A subscription that ended (cancelled at period end) keeps its id on the row; it must not count as a paid one.
test("regression: after a paid subscription ended, a trial can be paid by a new checkout", async () => {
  await runLifecycle(env, "shuffled_twice", [
    { op: "two_checkouts", first: "max", second: "pro" },
    { op: "cancel" },
    { op: "advance", hours: 762 },
    { op: "trial", plan: "starter" },
    { op: "checkout", plan: "pro", card: "ok", returnSync: false },
  ]);
}, 300_000);

test("regression: a trial after an ended paid subscription ends by itself", async () => {
  await runLifecycle(env, "in_order", [
    { op: "checkout", plan: "starter", card: "ok", returnSync: true },
    { op: "cancel" },
    { op: "advance", hours: 762 },
    { op: "trial", plan: "pro" },
    { op: "advance", hours: 200 },
    { op: "use", units: 1 },
  ]);
}, 300_000);
