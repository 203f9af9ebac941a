import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seedCatalog, publishPlan, currentPlanVersion } from "@/lib/billing/plans";
import { defaultPlans } from "@/lib/billing/catalog";

afterAll(() => db().$disconnect());

describe("plan catalog", () => {
  it("seeds once and is idempotent on re-run", async () => {
    await seedCatalog(db());
    const again = await seedCatalog(db());
    expect(again.plansCreated).toBe(0);
    const free = await currentPlanVersion(db(), "free");
    expect(free?.entitlements.map((e) => e.feature).sort()).toEqual(["api_calls", "compute", "projects", "seats"]);
  });

  it("creates the next version when a plan changes and keeps the old one", async () => {
    const spec = { ...defaultPlans[1]!, key: `starter_${crypto.randomUUID().slice(0, 8)}` };
    const v1 = await publishPlan(db(), spec);
    const v2 = await publishPlan(db(), { ...spec, monthlyPriceCents: spec.monthlyPriceCents + 100 });
    expect([v1.plan.version, v2.plan.version, v2.created]).toEqual([1, 2, true]);
    const old = await db().plan.findUniqueOrThrow({ where: { id: v1.plan.id } });
    expect(old.monthlyPriceCents).toBe(spec.monthlyPriceCents);
    expect((await currentPlanVersion(db(), spec.key))?.id).toBe(v2.plan.id);
  });
});
