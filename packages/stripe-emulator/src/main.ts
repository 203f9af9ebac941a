import { FRESH_ACCOUNT } from "./account";
import { startStripeEmulator } from "./server";

/**
 * `npm run stripe:emulator`: listens on STRIPE_EMULATOR_PORT (default 12111) and delivers events
 * to STRIPE_EMULATOR_WEBHOOK_URL (if set), signed with STRIPE_WEBHOOK_SECRET. STRIPE_EMULATOR_ACCOUNT=fresh
 * starts an account as a new Stripe account is: Stripe Tax not set up, no portal configuration.
 */
async function main(): Promise<void> {
  const port = Number(process.env.STRIPE_EMULATOR_PORT ?? 12111);
  const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET ?? "whsec_emulator_local_secret";
  const webhookUrl = process.env.STRIPE_EMULATOR_WEBHOOK_URL || undefined;
  const emulator = await startStripeEmulator({ port, webhookSecret, webhookUrl, publicUrl: process.env.STRIPE_EMULATOR_PUBLIC_URL || undefined, ...(process.env.STRIPE_EMULATOR_ACCOUNT === "fresh" ? { account: FRESH_ACCOUNT } : {}), log: (l) => console.log(l) });
  console.log(`Stripe emulator listening on ${emulator.url}${webhookUrl ? `, delivering events to ${webhookUrl}` : ""}`);
  const stop = () => void emulator.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

void main();
