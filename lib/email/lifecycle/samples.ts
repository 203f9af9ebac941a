import type { LifecycleData } from "./kinds";

// Sample facts for each lifecycle email, for the operator console's preview (/admin/emails).
const usd = (cents: number) => ({ cents, currency: "usd" });

export const lifecycleSamples: LifecycleData = {
  threshold: {
    items: [
      { subject: "compute usage reached 80% of its quota", body: "Your workspace has used 80% of its compute quota for the current window. The quota resets at 2026-12-01T00:00:00.000Z." },
      { subject: "compute usage reached 100% of its quota", body: "Your workspace has used 100% of its compute quota for the current window. The quota resets at 2026-12-01T00:00:00.000Z." },
    ],
  },
  payment_failed: { invoice: "A1B2C3-0004", amount: usd(4900), reason: "Your card has insufficient funds.", hostedUrl: "https://invoice.stripe.com/i/acct_sample/inv_sample" },
  payment_action_required: { invoice: "A1B2C3-0005", amount: usd(19900), hostedUrl: "https://invoice.stripe.com/i/acct_sample/inv_sample", planChange: false },
  degraded: { since: "2026-11-20T09:00:00.000Z", unpaidAfterDays: 14 },
  moved_to_free: { since: "2026-11-20T09:00:00.000Z" },
  trial_will_end: { planName: "Pro", endsAt: "2026-12-08T12:00:00.000Z", hasCard: false },
  trial_ended: { planName: "Pro", endedAt: "2026-12-08T12:00:00.000Z" },
  pack_receipt: { packName: "500 compute", units: "500", amount: usd(1900), paidAt: "2026-11-28T15:30:00.000Z", reference: "cs_test_sample" },
  auto_top_up_succeeded: { packName: "500 compute", units: "500", amount: usd(1900), paidAt: "2026-11-28T15:30:00.000Z" },
  auto_top_up_failed: { packName: "500 compute", error: "Your card was declined." },
};
