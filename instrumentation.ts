// Runs once when a server instance starts: a missing or malformed variable stops start-up here,
// with a message naming it, instead of failing on the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { envAtStartup } = await import("@/lib/env");
  envAtStartup();
  // Auto top-ups started right after a usage debit buy through Stripe (the reconcile cron is the backstop).
  const { registerStripePaymentsPort } = await import("@/lib/payments");
  registerStripePaymentsPort();
  // Outgoing webhooks are sent right after the change commits, from every long-lived instance. On Vercel no
  // process stays up to listen: the /api/cron/webhooks route sends them there.
  if (!process.env.VERCEL) {
    const [{ startWebhookSender }, { db }, { env }] = await Promise.all([import("@/lib/webhooks/sender"), import("@/lib/db"), import("@/lib/env")]);
    startWebhookSender(env().DATABASE_URL, db());
  }
}
