import { describe, expect, it } from "vitest";
import { billingAlerts } from "./alerts";
import type { BillingOverview, FeatureUsage } from "./overview";
import { measureUsage } from "./usage-level";

type Spec = Pick<FeatureUsage, "feature" | "kind" | "overflow" | "used" | "limit">;

function feature(s: Spec): FeatureUsage {
  const gauge = s.kind === "gauge";
  return {
    ...s,
    period: gauge ? "lifetime" : "week",
    remaining: s.limit,
    resetsAt: gauge ? null : "2026-12-07T00:00:00.000Z",
    measure: measureUsage(s.used, s.limit, s.kind),
    fromExtras: "0",
  };
}

function overview(features: Spec[], plan = "free"): BillingOverview {
  return {
    plan: { id: plan, key: plan, version: 1, name: plan },
    status: "active",
    interval: "month",
    trialEndsAt: null,
    currentPeriodEnd: null,
    cancelAtPeriodEnd: false,
    pendingChange: null,
    dunning: null,
    attention: { actionRequired: null, declineReason: null, notFinalized: [], frozenUnits: "0" },
    features: features.map(feature),
    overrides: [],
    extras: { balance: "0", usable: "0", expiringSoon: [], expiringSoonTotal: "0" },
  };
}

const compute = (used: string): Spec => ({ feature: "compute", kind: "meter", overflow: "extras", used, limit: "100" });
const seats = (used: string, limit: string): Spec => ({ feature: "seats", kind: "gauge", overflow: "block", used, limit });
const projects = (used: string, limit: string): Spec => ({ feature: "projects", kind: "gauge", overflow: "block", used, limit });

describe("billing alerts", () => {
  it("say nothing for a new Free workspace whose owner holds its one seat", () => {
    expect(billingAlerts(overview([compute("0"), seats("1", "1"), projects("0", "1")]))).toEqual([]);
  });

  it("leave full and nearly full gauges to their bars, on paid plans too", () => {
    expect(billingAlerts(overview([compute("10"), seats("3", "3"), projects("5", "5")], "starter"))).toEqual([]);
    expect(billingAlerts(overview([seats("9", "10"), projects("3", "1")], "pro"))).toEqual([]);
  });

  it("still raise a meter at 80% and at 100% of its window, beside full gauges", () => {
    expect(billingAlerts(overview([compute("85"), seats("1", "1")]))).toEqual([
      { kind: "quota_near", feature: "compute", percent: 85, resetsAt: "2026-12-07T00:00:00.000Z" },
    ]);
    expect(billingAlerts(overview([compute("100"), seats("1", "1")]))).toEqual([
      { kind: "quota_full", feature: "compute", overflow: "extras", resetsAt: "2026-12-07T00:00:00.000Z", over: false },
    ]);
  });
});
