// Seeding and reading a chaos database; no test-runner imports, so scripts (the overload run) use it too.
import type { PrismaClient } from "../../lib/generated/prisma/client";
import { createApiKey } from "../../lib/api-keys";
import { defaultPlans, type EntitlementSpec, type PlanSpec } from "../../lib/billing/catalog";
import { publishPlan } from "../../lib/billing/plans";
import { registerUser } from "../../lib/auth/users";
import { withoutSeatClaims } from "../helpers/seats";

export const uid = () => crypto.randomUUID().slice(0, 8);
export const PASSWORD = "correct-horse-battery-staple";

/**
 * A signed-up owner with a workspace on a plan of its own (compute overridden) and an API key.
 * Works on any database: the chaos instances' or a cluster a test stops.
 */
export async function seedWorkspace(db: PrismaClient, opts: { compute?: Partial<EntitlementSpec>; label?: string } = {}) {
  const base = defaultPlans[0]!;
  const spec: PlanSpec = {
    ...base,
    key: `chaos_${uid()}`,
    entitlements: base.entitlements.map((e) => (e.feature === "compute" ? { ...e, ...opts.compute } : e)),
  };
  const { plan } = await publishPlan(db, spec);
  const label = opts.label ?? "chaos";
  const email = `${label}-${uid()}@example.test`;
  const { user, workspace } = await registerUser(db, { email, password: PASSWORD, name: label, workspace: `${label} ${uid()}`, emailVerified: new Date() });
  await withoutSeatClaims(db, workspace.id);
  await db.subscription.update({ where: { workspaceId: workspace.id }, data: { planId: plan.id, status: "active" } });
  const key = await createApiKey(db, { workspaceId: workspace.id, name: "chaos", createdById: user.id });
  return { workspaceId: workspace.id, slug: workspace.slug, userId: user.id, email, key: key.secret, keyId: key.id, planId: plan.id };
}

/** Events and counted units of a workspace: what a refused request must not change. */
export async function written(db: PrismaClient, workspaceId: string) {
  const [events, used] = await Promise.all([
    db.usageEvent.count({ where: { workspaceId } }),
    db.usageWindow.aggregate({ where: { workspaceId }, _sum: { used: true } }),
  ]);
  return { events, used: used._sum.used?.toFixed() ?? "0" };
}

