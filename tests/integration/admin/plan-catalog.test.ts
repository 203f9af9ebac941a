import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { currentPlanVersion, publishPlan } from "@/lib/billing";
import { defaultPlans, type PlanSpec } from "@/lib/billing/catalog";
import { archivePlanVersion, diffSpecs, planCatalog, publishPlanVersion, restorePlanVersion, specFromForm, specOf } from "@/lib/admin/plans";
import { startTrial } from "@/lib/payments";
import { newWorkspace, startPayments, subscriptionOf, type PaymentsEnv } from "../payments/helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments();
});
afterAll(async () => {
  await env?.stop();
});

const uid = () => crypto.randomUUID().slice(0, 8);

async function ownPlan(label: string) {
  const pro = defaultPlans.find((p) => p.key === "pro")!;
  const spec: PlanSpec = { ...pro, key: `${label}_${uid()}`, name: `Cat ${label}` };
  const { plan } = await publishPlan(db(), spec);
  return db().plan.findUniqueOrThrow({ where: { id: plan.id }, include: { entitlements: true } });
}

async function operator() {
  const op = await newWorkspace("cat-op");
  return { id: op.userId, email: op.email };
}

/** The editor's fields as the page fills them from a version. */
function formOf(spec: PlanSpec): Record<string, string> {
  const f: Record<string, string> = {
    name: spec.name, description: spec.description, monthly: (spec.monthlyPriceCents / 100).toFixed(2), annual: (spec.annualPriceCents / 100).toFixed(2),
    trialDays: String(spec.trialDays), runBaseUnits: spec.ratios.runBaseUnits, dollarsToUnits: spec.ratios.dollarsToUnits, maxUnitsPerRun: spec.ratios.maxUnitsPerRun ?? "",
    grantUnits: spec.grant.units, grantExpiresDays: spec.grant.expiresDays === null ? "" : String(spec.grant.expiresDays),
  };
  for (const [a, w] of Object.entries(spec.ratios.actionWeights)) f[`weight.${a}`] = w;
  for (const e of spec.entitlements) Object.assign(f, { [`limit.${e.feature}`]: e.limit ?? "unlimited", [`period.${e.feature}`]: e.period, [`overflow.${e.feature}`]: e.overflow });
  return f;
}

describe("the plan catalog", () => {
  it("a version in use is immutable: prices and entitlements cannot change in place, whichever code path tries", async () => {
    const plan = await ownPlan("immutable");
    // Unused, a version may still be corrected in place (nothing depends on it yet).
    await db().plan.update({ where: { id: plan.id }, data: { trialDays: 14 } });
    const ws = await newWorkspace("cat-immutable");
    await startTrial(db(), { workspaceId: ws.workspaceId, planKey: plan.key, userId: ws.userId });
    await expect(db().plan.update({ where: { id: plan.id }, data: { monthlyPriceCents: 1 } })).rejects.toThrow(/used by a subscription/);
    await expect(db().entitlement.updateMany({ where: { planId: plan.id, feature: "compute" }, data: { limit: 1 } })).rejects.toThrow(/used by a subscription/);
    await expect(db().entitlement.create({ data: { planId: plan.id, feature: "extra", period: "month" } })).rejects.toThrow(/used by a subscription/);
    await expect(db().entitlement.deleteMany({ where: { planId: plan.id, feature: "seats" } })).rejects.toThrow(/used by a subscription/);
    // Availability and Stripe's ids may change: archiving, syncing.
    await db().plan.update({ where: { id: plan.id }, data: { stripeMonthlyPriceId: "price_x", active: false } });
    const after = await db().plan.findUniqueOrThrow({ where: { id: plan.id }, include: { entitlements: true } });
    expect([after.monthlyPriceCents, after.entitlements.find((e) => e.feature === "compute")!.limit!.toFixed()]).toEqual([9900, "10000"]);
  });

  it("the editor's form becomes the next version's spec; the diff lists exactly what changes; bad fields are named", () => {
    const pro = defaultPlans.find((p) => p.key === "pro")!;
    const form = { ...formOf(pro), monthly: "119", "limit.compute": "20000", "period.compute": "month", "weight.xl": "20", grantExpiresDays: "" };
    const next = specFromForm(pro, form);
    expect(diffSpecs(pro, next)).toEqual([
      { field: "Monthly price", before: "$99", after: "$119" },
      { field: "compute limit", before: "10000", after: "20000" },
      { field: "compute period", before: "week", after: "month" },
      { field: "Weight of xl", before: "15", after: "20" },
      { field: "Grant expires after", before: "35 days", after: "never" },
    ]);
    expect(diffSpecs(pro, specFromForm(pro, formOf(pro)))).toEqual([]);
    expect(() => specFromForm(pro, { ...formOf(pro), monthly: "lots" })).toThrow(expect.objectContaining({ code: "invalid_request", details: { field: "monthly" } }));
    expect(() => specFromForm(pro, { ...formOf(pro), "limit.compute": "-5" })).toThrow(expect.objectContaining({ details: { field: "limit.compute" } }));
    expect(() => specFromForm(pro, { ...formOf(pro), "period.seats": "week" })).toThrow(expect.objectContaining({ details: { field: "period.seats" } }));
    expect(() => specFromForm(pro, { ...formOf(pro), monthly: "0" })).toThrow(expect.objectContaining({ details: { field: "annual" } }));
  });

  it("publishing makes the next version the one new subscriptions get, creates its Stripe prices, and grandfathers the old one", async () => {
    const op = await operator();
    const v1 = await ownPlan("publish");
    const ws = await newWorkspace("cat-grandfathered");
    await startTrial(db(), { workspaceId: ws.workspaceId, planKey: v1.key, userId: ws.userId });
    const spec = specFromForm(specOf(v1), { ...formOf(specOf(v1)), monthly: "119", annual: "1190", "limit.compute": "20000" });
    const r = await publishPlanVersion(db(), op, { basedOnPlanId: v1.id, spec });
    expect(r.plan.version).toBe(2);
    expect(r.stripeSync).toMatchObject({ created: 2 });
    const v2 = await db().plan.findUniqueOrThrow({ where: { id: r.plan.id } });
    const prices = await env.stripe.prices.list({ lookup_keys: [v2.monthlyLookupKey!, v2.annualLookupKey!] });
    expect(prices.data.map((p) => p.unit_amount).sort()).toEqual([11900, 119000]);
    expect([v2.stripeMonthlyPriceId, v2.stripeAnnualPriceId]).toEqual(expect.arrayContaining([expect.stringMatching(/^price_/)]));
    expect((await currentPlanVersion(db(), v1.key))!.id).toBe(v2.id);
    // The workspace on v1 keeps v1.
    expect((await subscriptionOf(ws.workspaceId)).planId).toBe(v1.id);
    const catalog = (await planCatalog(db())).find((k) => k.key === v1.key)!;
    expect(catalog.versions.map((v) => [v.version, v.active, v.subscriptions, v.stripeSynced])).toEqual([[2, true, 0, true], [1, false, 1, false]]); // v1 was made after the last sync
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "plan.published", subjectId: v2.id } });
    expect(audit.actorEmail).toBe(op.email);
    expect((audit.after as { changes: unknown[] }).changes).toHaveLength(3);

    // The editor opened on v1 is stale now; and an unchanged spec is no version.
    await expect(publishPlanVersion(db(), op, { basedOnPlanId: v1.id, spec })).rejects.toMatchObject({ code: "conflict" });
    await expect(publishPlanVersion(db(), op, { basedOnPlanId: v2.id, spec: { ...spec } })).rejects.toMatchObject({ code: "invalid_request" });
    expect(await db().plan.count({ where: { key: v1.key } })).toBe(2);
  });

  it("archiving stops new subscriptions and keeps existing ones; restoring offers the newest version again; Free stays", async () => {
    const op = await operator();
    const plan = await ownPlan("archive");
    const on = await newWorkspace("cat-archive-on");
    await startTrial(db(), { workspaceId: on.workspaceId, planKey: plan.key, userId: on.userId });
    expect((await archivePlanVersion(db(), op, { planId: plan.id, memo: "retired" })).archived).toBe(true);
    expect(await currentPlanVersion(db(), plan.key)).toBeNull();
    const late = await newWorkspace("cat-archive-late");
    await expect(startTrial(db(), { workspaceId: late.workspaceId, planKey: plan.key, userId: late.userId })).rejects.toMatchObject({ code: "invalid_request" });
    expect((await subscriptionOf(on.workspaceId)).planId).toBe(plan.id);
    expect((await archivePlanVersion(db(), op, { planId: plan.id })).archived).toBe(false);
    await restorePlanVersion(db(), op, { planId: plan.id });
    expect((await currentPlanVersion(db(), plan.key))!.id).toBe(plan.id);
    const free = await currentPlanVersion(db(), "free");
    await expect(archivePlanVersion(db(), op, { planId: free!.id })).rejects.toMatchObject({ code: "invalid_request" });
    const actions = await db().auditLog.findMany({ where: { subjectId: plan.id }, orderBy: { seq: "asc" } });
    expect(actions.map((a) => [a.action, a.actorEmail])).toEqual([["plan.archived", op.email], ["plan.restored", op.email]]);
  });
});
