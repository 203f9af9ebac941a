import { createDb } from "../../lib/db";
import { createStripeClient, syncStripeCatalog } from "../../lib/stripe";
import { startStripeEmulator, type StripeEmulatorHandle } from "@tally/stripe-emulator";
import { freePort } from "./pglite";

/**
 * Without STRIPE_SECRET_KEY the app talks to the local Stripe emulator, started here in-process: on
 * STRIPE_EMULATOR_PORT (12111), or on a free port for throwaway (--memory) runs so parallel runs never collide.
 * Events go to the app's webhook route, signed with STRIPE_WEBHOOK_SECRET, the secret the app verifies with.
 */
export async function startDevStripe(opts: { appUrl: string; ephemeral: boolean }): Promise<StripeEmulatorHandle | null> {
  if (process.env.STRIPE_SECRET_KEY) return null;
  const port = opts.ephemeral ? await freePort() : Number(process.env.STRIPE_EMULATOR_PORT || 12111);
  const emulator = await startStripeEmulator({
    port,
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET!,
    webhookUrl: `${opts.appUrl.replace(/\/$/, "")}/api/webhooks/stripe`,
    log: (line) => console.log(`[stripe] ${line}`),
  });
  process.env.STRIPE_EMULATOR_PORT = String(emulator.port);
  process.env.STRIPE_API_BASE = emulator.url;
  return emulator;
}

/** Creates (or finds, by lookup key) the Stripe prices of every active plan version and pack, and stores their ids. */
export async function syncCatalogToStripe(databaseUrl: string): Promise<{ created: number; found: number }> {
  const db = createDb(databaseUrl, 2);
  try {
    const client = createStripeClient({ secretKey: process.env.STRIPE_SECRET_KEY || "sk_test_emulator", apiBase: process.env.STRIPE_API_BASE });
    return await syncStripeCatalog(db, client);
  } finally {
    await db.$disconnect();
  }
}
