// Secrets shared by the soak process and the servers it starts (never real ones), and the soak's ports:
// away from the HTTP tests (3300-3399) and the chaos suite (3500-3599).
process.env.AUTH_SECRET ||= "soak-auth-secret-0123456789abcdef";
process.env.CRON_SECRET ||= "soak-cron-secret-0123456789abcdef";
process.env.STRIPE_WEBHOOK_SECRET ||= "whsec_soak_0123456789abcdef";
export const SOAK_PORTS: [number, number] = [3600, 3700];
