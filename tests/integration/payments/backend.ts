// The Stripe a payments test runs against: the local emulator (every `npm test`), or, under
// `npm run test:stripe-live` (STRIPE_LIVE=1), the account of STRIPE_SECRET_KEY, a test-mode key, reached at
// STRIPE_API_BASE when set (another Stripe-compatible server). Either way no webhook is delivered: the app learns
// what happened through Stripe's events list, the path the reconcile cron takes (recoverMissedEvents).
import { db } from "@/lib/db";
import { createStripeClient, setStripeClient, syncStripeCatalog, type Stripe } from "@/lib/stripe";
import { recoverMissedEvents } from "@/lib/payments";
import { ensureCatalog } from "../../helpers/factories";
import { startPayments, type PaymentsEnv } from "./helpers";

export interface Backend {
  stripe: Stripe;
  /** True against a real Stripe account (or another server named by STRIPE_API_BASE). */
  live: boolean;
  /** Applies the events the app has not processed yet, read from the events list. */
  learn(): Promise<void>;
  /** Learns events until `check` holds (real Stripe writes events a moment after the change), or fails saying `what`. */
  until<T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T>;
  /** Moves a test clock and waits until Stripe has finished advancing it (asynchronous on Stripe). */
  advance(clockId: string, to: number): Promise<void>;
  stop(): Promise<void>;
}

export const liveRun = () => process.env.STRIPE_LIVE === "1";

export async function connectStripe(): Promise<Backend> {
  let emulated: PaymentsEnv | null = null;
  let stripe: Stripe;
  if (liveRun()) {
    const key = process.env.STRIPE_SECRET_KEY ?? "";
    if (!key.startsWith("sk_test_")) throw new Error("STRIPE_LIVE=1 needs STRIPE_SECRET_KEY to be a test-mode secret key (sk_test_...)");
    stripe = createStripeClient({ secretKey: key, apiBase: process.env.STRIPE_API_BASE || null });
    setStripeClient(stripe);
    await db().stripeAccountState.deleteMany();
    await ensureCatalog();
    await syncStripeCatalog(db(), stripe);
  } else {
    emulated = await startPayments();
    stripe = emulated.stripe;
  }
  // A shared test account lists other runs' events too; those that fail here (their workspaces live in another
  // database) stay failed and are not this test's business: each test waits for its own effects instead.
  const learn = async () => {
    await recoverMissedEvents(db(), { days: 1 });
  };
  return {
    stripe,
    live: !emulated,
    learn,
    async until(what, check) {
      const deadline = Date.now() + (emulated ? 5_000 : 90_000);
      for (;;) {
        await learn();
        const value = await check();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`never saw ${what}`);
        await new Promise((r) => setTimeout(r, emulated ? 50 : 2_000));
      }
    },
    async advance(clockId, to) {
      await stripe.testHelpers.testClocks.advance(clockId, { frozen_time: to });
      const deadline = Date.now() + 180_000;
      while ((await stripe.testHelpers.testClocks.retrieve(clockId)).status !== "ready") {
        if (Date.now() > deadline) throw new Error(`test clock ${clockId} still advancing`);
        await new Promise((r) => setTimeout(r, emulated ? 20 : 2_000));
      }
    },
    async stop() {
      if (emulated) await emulated.stop();
      else setStripeClient(undefined);
    },
  };
}
