// The engine answers with exact decimal strings; the API answers with JSON numbers carrying exactly those
// digits (json.ts writes them), so an amount reaches the client as the engine has it, however many digits.
import type { Limitations, UsageAnswer } from "@/lib/billing";
import { exact, exactOrNull } from "./json";
import type { WireAnswer, WireLimitations } from "./schemas";

export function wireAnswer(a: UsageAnswer): WireAnswer {
  return { allowed: a.allowed, feature: a.feature, units: exact(a.units), remaining: exactOrNull(a.remaining), extrasRemaining: exact(a.extrasRemaining), resetsAt: a.resetsAt };
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
    entitlements: l.entitlements.map((e) => ({ ...e, limit: exactOrNull(e.limit), used: exact(e.used), remaining: exactOrNull(e.remaining) })),
    extras: {
      balance: exact(l.extras.balance),
      usable: exact(l.extras.usable),
      expiringSoon: l.extras.expiringSoon.map((x) => ({ remaining: exact(x.remaining), expiresAt: x.expiresAt })),
    },
  };
}
