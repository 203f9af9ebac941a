// The engine answers with exact decimal strings; the API answers with JSON numbers (exact for any
// single request, whose amounts are capped at 2^53 - 1 with six decimals).
import type { Limitations, UsageAnswer } from "@/lib/billing";
import type { WireAnswer, WireLimitations } from "./schemas";

const num = (v: string) => Number(v);
const numOrNull = (v: string | null) => (v === null ? null : Number(v));

export function wireAnswer(a: UsageAnswer): WireAnswer {
  return { allowed: a.allowed, feature: a.feature, units: num(a.units), remaining: numOrNull(a.remaining), extrasRemaining: num(a.extrasRemaining), resetsAt: a.resetsAt };
}

/** X-Quota-Remaining: the quota left after this request; absent when the feature is unlimited. */
export function quotaHeaders(a: UsageAnswer): Record<string, string> {
  return a.remaining === null ? {} : { "x-quota-remaining": a.remaining };
}

export function wireLimitations(l: Limitations): WireLimitations {
  return {
    workspaceId: l.workspaceId,
    plan: { key: l.plan.key, version: l.plan.version, name: l.plan.name },
    status: l.status,
    trialEndsAt: l.trialEndsAt,
    currentPeriodEnd: l.currentPeriodEnd,
    entitlements: l.entitlements.map((e) => ({ ...e, limit: numOrNull(e.limit), used: num(e.used), remaining: numOrNull(e.remaining) })),
    extras: {
      balance: num(l.extras.balance),
      usable: num(l.extras.usable),
      expiringSoon: l.extras.expiringSoon.map((x) => ({ remaining: num(x.remaining), expiresAt: x.expiresAt })),
    },
  };
}
