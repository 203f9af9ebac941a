// The default catalog seeded into a new database. Money in cents; units as decimal strings.
// Editing a plan here and re-seeding creates the plan's next version (see plans.ts), never mutates one in use.

export type PeriodName = "day" | "week" | "month" | "billing_period" | "lifetime";
export type OverflowName = "block" | "extras" | "soft";

export interface EntitlementSpec {
  feature: string;
  kind: "meter" | "gauge";
  limit: string | null;
  period: PeriodName;
  overflow: OverflowName;
}

export interface PlanSpec {
  key: string;
  name: string;
  description: string;
  monthlyPriceCents: number;
  annualPriceCents: number;
  trialDays: number;
  sortOrder: number;
  ratios: { runBaseUnits: string; dollarsToUnits: string; maxUnitsPerRun: string | null; actionWeights: Record<string, string> };
  grant: { units: string; expiresDays: number | null };
  entitlements: EntitlementSpec[];
}

export const FREE_PLAN_KEY = "free";

const actionWeights = { small: "1", medium: "2.5", large: "5", xl: "15" };
const ratios = { runBaseUnits: "1", dollarsToUnits: "100", maxUnitsPerRun: "500", actionWeights };

const features = (compute: string | null, seats: string | null, projects: string | null, apiCalls: string | null): EntitlementSpec[] => [
  { feature: "compute", kind: "meter", limit: compute, period: "week", overflow: "extras" },
  { feature: "api_calls", kind: "meter", limit: apiCalls, period: "month", overflow: "soft" },
  { feature: "seats", kind: "gauge", limit: seats, period: "lifetime", overflow: "block" },
  { feature: "projects", kind: "gauge", limit: projects, period: "lifetime", overflow: "block" },
];

export const defaultPlans: PlanSpec[] = [
  {
    key: "free", name: "Free", description: "For trying Tally out.",
    monthlyPriceCents: 0, annualPriceCents: 0, trialDays: 0, sortOrder: 0, ratios,
    grant: { units: "0", expiresDays: null },
    entitlements: features("100", "1", "1", "1000"),
  },
  {
    key: "starter", name: "Starter", description: "For small teams shipping their first paid features.",
    monthlyPriceCents: 999, annualPriceCents: 9990, trialDays: 7, sortOrder: 1, ratios,
    grant: { units: "0", expiresDays: null },
    entitlements: features("1000", "3", "5", "50000"),
  },
  {
    key: "pro", name: "Pro", description: "For growing products with steady usage.",
    monthlyPriceCents: 9900, annualPriceCents: 99000, trialDays: 7, sortOrder: 2, ratios,
    grant: { units: "500", expiresDays: 35 },
    entitlements: features("10000", "10", "50", "1000000"),
  },
  {
    key: "max", name: "Max", description: "For heavy workloads and large teams.",
    monthlyPriceCents: 49999, annualPriceCents: 499990, trialDays: 7, sortOrder: 3, ratios,
    grant: { units: "5000", expiresDays: 35 },
    entitlements: features("60000", null, null, null),
  },
];

export interface PackSpec { key: string; name: string; units: string; priceCents: number; expiresAfterDays: number; sortOrder: number }

export const defaultPacks: PackSpec[] = [
  { key: "compute_500", name: "500 compute", units: "500", priceCents: 2000, expiresAfterDays: 365, sortOrder: 0 },
  { key: "compute_2500", name: "2,500 compute", units: "2500", priceCents: 9000, expiresAfterDays: 365, sortOrder: 1 },
  { key: "compute_10000", name: "10,000 compute", units: "10000", priceCents: 30000, expiresAfterDays: 365, sortOrder: 2 },
];

export interface ModelPriceSpec { provider: string; model: string; input: string; output: string }

/** Dollars per million tokens. */
export const defaultModelPrices: ModelPriceSpec[] = [
  { provider: "openai", model: "gpt-4o", input: "2.5", output: "10" },
  { provider: "openai", model: "gpt-4o-mini", input: "0.15", output: "0.6" },
  { provider: "anthropic", model: "claude-sonnet", input: "3", output: "15" },
  { provider: "anthropic", model: "claude-haiku", input: "0.8", output: "4" },
];
