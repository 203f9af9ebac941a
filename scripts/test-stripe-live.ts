// `npm run test:stripe-live`: the payments integration tests that learn events through Stripe's events list
// (the reconcile cron's path, no webhook delivery needed) against a real Stripe account in test mode.
// STRIPE_SECRET_KEY must be a test-mode secret key (sk_test_...); without one the run is skipped, saying why,
// and exits 0. STRIPE_API_BASE, when set, points the tests at another Stripe-compatible server instead (this is
// how the command's own test runs it, against the local emulator). Not part of `npm test`.
import { spawnSync } from "node:child_process";
import { loadEnvFiles } from "./lib/load-env";

/** The test files that run on either Stripe (see tests/integration/payments/backend.ts). */
const LIVE_TEST_FILES = ["tests/integration/payments/reconcile-path.test.ts"];

loadEnvFiles();
const key = process.env.STRIPE_SECRET_KEY ?? "";
const skip = !key
  ? "STRIPE_SECRET_KEY is not set. Set it to a Stripe test-mode secret key (sk_test_..., Dashboard > Developers > API keys, test mode) to run the payments tests against real Stripe."
  : !key.startsWith("sk_test_")
    ? `STRIPE_SECRET_KEY is not a test-mode secret key (it starts with ${key.slice(0, key.indexOf("_", 3) + 1) || "something else"}, not sk_test_). These tests create customers, subscriptions and charges, so they only ever run in test mode.`
    : null;
if (skip) {
  console.log(`test:stripe-live: skipped: ${skip}`);
  process.exit(0);
}

const target = process.env.STRIPE_API_BASE ? `the Stripe API at ${process.env.STRIPE_API_BASE}` : "Stripe in test mode";
console.log(`test:stripe-live: ${LIVE_TEST_FILES.join(", ")} against ${target}; events are learnt through the events list, not webhooks`);
const run = spawnSync("npx", ["vitest", "run", "--project", "integration", ...LIVE_TEST_FILES, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, STRIPE_LIVE: "1", NEXT_TELEMETRY_DISABLED: "1" },
});
process.exit(run.status ?? 1);
