// Secrets shared by the chaos test process and the servers it starts (never real ones). Imported first by
// the global setup and by every worker, so both sides sign and verify with the same values.
process.env.AUTH_SECRET ||= "chaos-auth-secret-0123456789abcdef";
process.env.CRON_SECRET ||= "chaos-cron-secret-0123456789abcdef";
process.env.STRIPE_WEBHOOK_SECRET ||= "whsec_chaos_0123456789abcdef";
// Ports of this suite: its app servers and its own Stripe emulator, away from other suites' servers.
export const CHAOS_PORTS: [number, number] = [3500, 3600];
