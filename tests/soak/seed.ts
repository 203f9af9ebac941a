// The soak's tenants: workspaces on plans with one feature of each overflow kind, an API key each, and
// extras bought through topupExtras (most workspaces hold several packs; some hold none, so extras run out).
import type { PrismaClient } from "../../lib/generated/prisma/client";
import { createApiKey } from "../../lib/api-keys";
import { registerUser } from "../../lib/auth/users";
import { publishPlan, topupExtras } from "../../lib/billing";
import { defaultPacks, defaultPlans, type EntitlementSpec, type OverflowName, type PlanSpec } from "../../lib/billing/catalog";
import type { Rng } from "./prng";

export interface FeatureSpec {
  overflow: OverflowName;
  period: EntitlementSpec["period"];
  /** Quota per plan tier (small, medium, large); null = unlimited. */
  limits: [string | null, string | null, string | null];
}

/** Every overflow kind, periods short and long, decimal units on `storage`, no limit on `tokens`. */
export const FEATURES: Record<string, FeatureSpec> = {
  compute: { overflow: "extras", period: "week", limits: ["400", "800", "1200"] },
  storage: { overflow: "extras", period: "lifetime", limits: ["50", "150", "400"] },
  api_calls: { overflow: "soft", period: "month", limits: ["500", "1500", "4000"] },
  exports: { overflow: "block", period: "lifetime", limits: ["300", "1000", "2500"] },
  tokens: { overflow: "block", period: "day", limits: [null, null, null] },
};

export interface SoakWorkspace {
  index: number;
  workspaceId: string;
  apiKey: string;
  tier: number;
}

export interface Topup {
  workspace: number;
  paymentIntentId: string;
  pack: string;
  units: string;
}

function planSpec(tier: number, runId: string): PlanSpec {
  const base = defaultPlans[1]!;
  return {
    ...base,
    key: `soak_${runId}_t${tier}`,
    name: `Soak tier ${tier}`,
    grant: { units: "0", expiresDays: null },
    entitlements: [
      ...Object.entries(FEATURES).map(([feature, f]): EntitlementSpec => ({ feature, kind: "meter", limit: f.limits[tier]!, period: f.period, overflow: f.overflow })),
      ...base.entitlements.filter((e) => e.kind === "gauge"),
    ],
  };
}

export async function seedWorkspaces(db: PrismaClient, count: number, runId: string): Promise<SoakWorkspace[]> {
  const plans = [];
  for (let tier = 0; tier < 3; tier++) plans.push((await publishPlan(db, planSpec(tier, runId))).plan);
  const out: SoakWorkspace[] = [];
  for (let index = 0; index < count; index++) {
    const tier = index % 3;
    const { user, workspace } = await registerUser(db, {
      email: `soak-${runId}-${index}@example.test`,
      password: "correct-horse-battery-staple",
      workspace: `soak ${index}`,
    });
    await db.subscription.update({ where: { workspaceId: workspace.id }, data: { planId: plans[tier]!.id, status: "active" } });
    const key = await createApiKey(db, { workspaceId: workspace.id, name: "soak", createdById: user.id });
    out.push({ index, workspaceId: workspace.id, apiKey: key.secret, tier });
  }
  return out;
}

/** A topup of a random pack (sometimes several packs' worth), identified by its payment intent. */
export function drawTopup(r: Rng, workspace: number, paymentIntentId: string): Topup {
  const pack = r.pick(defaultPacks);
  const quantity = r.chance(0.2) ? r.int(2, 3) : 1;
  return { workspace, paymentIntentId, pack: pack.key, units: String(Number(pack.units) * quantity) };
}

export function applyTopup(db: PrismaClient, ws: SoakWorkspace, t: Topup) {
  return topupExtras(db, { workspaceId: ws.workspaceId, pack: t.pack, paymentIntentId: t.paymentIntentId, units: t.units });
}
