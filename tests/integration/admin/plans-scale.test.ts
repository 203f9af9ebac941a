import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { publishPlan } from "@/lib/billing";
import { defaultPlans } from "@/lib/billing/catalog";
import { migrationPreview } from "@/lib/admin/plan-migrations";
import { planCatalog } from "@/lib/admin/plans";
import { ensureCatalog } from "../../helpers/factories";

const WORKSPACES = 10_000;

/** Milliseconds `fn` takes. */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

describe("the plan pages at 10,000 workspaces on one version", () => {
  it("count versions, and page the migration preview by workspace id through the (planId, workspaceId) index", async () => {
    await ensureCatalog();
    const tag = crypto.randomUUID().slice(0, 8);
    const pro = defaultPlans.find((p) => p.key === "pro")!;
    const v1 = (await publishPlan(db(), { ...pro, key: `scale_${tag}` })).plan;
    const v2 = (await publishPlan(db(), { ...pro, key: `scale_${tag}`, monthlyPriceCents: 12900 })).plan;
    // Workspaces and their subscriptions in two statements (no members: these pages do not read them).
    await db().$executeRaw`INSERT INTO "Workspace" (id, slug, name, "createdAt")
      SELECT 'scale-' || ${tag} || '-' || lpad(g::text, 5, '0'), 'scale-' || ${tag} || '-' || g, 'Scale ' || g, now() FROM generate_series(1, ${WORKSPACES}) g`;
    await db().$executeRaw`INSERT INTO "Subscription" (id, "workspaceId", "planId", status, "updatedAt", "createdAt")
      SELECT 'scale-sub-' || ${tag} || '-' || g, 'scale-' || ${tag} || '-' || lpad(g::text, 5, '0'), ${v1.id}, 'active', now(), now() FROM generate_series(1, ${WORKSPACES}) g`;
    try {
      await db().$executeRawUnsafe(`ANALYZE "Subscription"`);
      const [catalog, catalogMs] = await timed(() => planCatalog(db()));
      expect(catalog.find((k) => k.key === v1.key)!.versions.map((v) => [v.version, v.subscriptions])).toEqual([[2, 0], [1, WORKSPACES]]);

      const [first, firstMs] = await timed(() => migrationPreview(db(), { fromPlanId: v1.id, toPlanId: v2.id }));
      expect([first.total, first.rows.length, first.rows[0]!.after.priceCents]).toEqual([WORKSPACES, 50, 12900]);
      // A page deep in the list costs what the first does: keyset, no OFFSET.
      const [deep, deepMs] = await timed(() => migrationPreview(db(), { fromPlanId: v1.id, toPlanId: v2.id, after: `scale-${tag}-09900` }));
      expect([deep.rows.length, deep.rows[0]!.workspaceId, deep.next]).toEqual([50, `scale-${tag}-09901`, `scale-${tag}-09950`]);
      // Times are printed for a reader, not asserted: a shared machine's timings prove nothing. What keeps
      // these pages fast at any size is the plan below.
      console.log(`plans.catalog ${catalogMs.toFixed(1)} ms; migration preview first page ${firstMs.toFixed(1)} ms, page 199 ${deepMs.toFixed(1)} ms (${WORKSPACES} workspaces)`);

      const plan = await db().$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
        `EXPLAIN SELECT "workspaceId" FROM "Subscription" WHERE "planId" = $1 AND "workspaceId" > $2 ORDER BY "workspaceId" LIMIT 51`, v1.id, `scale-${tag}-09900`);
      // Read in workspace order from an index (the (planId, workspaceId) one, or the workspace id's own when
      // nearly every subscription is on this version): never a scan of the table, never a sort.
      const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
      expect(text).toMatch(/Index (Only )?Scan using "?Subscription_(planId_workspaceId_idx|workspaceId_key)/);
      expect(text).not.toMatch(/Seq Scan|Sort/);
    } finally {
      await db().$executeRaw`DELETE FROM "Workspace" WHERE id LIKE ${`scale-${tag}-%`}`;
    }
  }, 120_000);
});
