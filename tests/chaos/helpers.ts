import "./env";
import { inject } from "vitest";
import { createDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { createApiKey } from "@/lib/api-keys";
import { defaultPlans, type EntitlementSpec, type PlanSpec } from "@/lib/billing/catalog";
import { publishPlan } from "@/lib/billing/plans";
import { registerUser } from "@/lib/auth/users";
import { createClient, type Reply } from "../http/client";

export const instanceA = () => inject("chaosA");
export const instanceB = () => inject("chaosB");

let client: PrismaClient | undefined;
/** A client on the instances' database, to seed and to read what the servers wrote. */
export function chaosDb(): PrismaClient {
  client ??= createDb(inject("chaosDatabaseUrl"), 8);
  return client;
}

export async function closeDb() {
  await client?.$disconnect();
  client = undefined;
}

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
  const { user, workspace } = await registerUser(db, { email, password: PASSWORD, name: label, workspace: `${label} ${uid()}` });
  await db.subscription.update({ where: { workspaceId: workspace.id }, data: { planId: plan.id, status: "active" } });
  const key = await createApiKey(db, { workspaceId: workspace.id, name: "chaos", createdById: user.id });
  return { workspaceId: workspace.id, slug: workspace.slug, userId: user.id, email, key: key.secret, keyId: key.id };
}

/** Events and counted units of a workspace: what a refused request must not change. */
export async function written(db: PrismaClient, workspaceId: string) {
  const [events, used] = await Promise.all([
    db.usageEvent.count({ where: { workspaceId } }),
    db.usageWindow.aggregate({ where: { workspaceId }, _sum: { used: true } }),
  ]);
  return { events, used: used._sum.used?.toFixed() ?? "0" };
}

/** A distinct client address per test, so the bad-key limiter's counts never leak between tests. */
export const clientIp = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

/** Counts of each status in a list of replies, e.g. { 200: 100, 402: 900 }. */
export function statusCounts(replies: Pick<Reply, "status">[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of replies) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

export { createClient };
