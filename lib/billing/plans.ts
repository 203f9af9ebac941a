import { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/db";
import { defaultModelPrices, defaultPacks, defaultPlans, type PlanSpec } from "./catalog";

type PlanWithEntitlements = Prisma.PlanGetPayload<{ include: { entitlements: true } }>;

const dec = (v: string | null) => (v === null ? null : new Prisma.Decimal(v));

/** True when a stored version already says what the spec says (so no new version is needed). */
function sameAsSpec(plan: PlanWithEntitlements, spec: PlanSpec): boolean {
  const eq = (a: Prisma.Decimal | null, b: string | null) => (a === null || b === null ? a === b : a.equals(b));
  const weights = plan.actionWeights as Record<string, string>;
  const specWeights = spec.ratios.actionWeights;
  return (
    plan.name === spec.name &&
    plan.description === spec.description &&
    plan.monthlyPriceCents === spec.monthlyPriceCents &&
    plan.annualPriceCents === spec.annualPriceCents &&
    plan.trialDays === spec.trialDays &&
    plan.sortOrder === spec.sortOrder &&
    eq(plan.runBaseUnits, spec.ratios.runBaseUnits) &&
    eq(plan.dollarsToUnits, spec.ratios.dollarsToUnits) &&
    eq(plan.maxUnitsPerRun, spec.ratios.maxUnitsPerRun) &&
    Object.keys(specWeights).length === Object.keys(weights).length &&
    Object.entries(specWeights).every(([k, v]) => weights[k] !== undefined && new Prisma.Decimal(weights[k]).equals(v)) &&
    eq(plan.grantUnits, spec.grant.units) &&
    plan.grantExpiresDays === spec.grant.expiresDays &&
    plan.entitlements.length === spec.entitlements.length &&
    spec.entitlements.every((e) => {
      const s = plan.entitlements.find((x) => x.feature === e.feature);
      return !!s && s.kind === e.kind && s.period === e.period && s.overflow === e.overflow && eq(s.limit, e.limit);
    })
  );
}

/**
 * Publishes a plan spec: creates version 1, or the next version when the spec differs from the latest.
 * Versions are never edited, so subscriptions on an older version keep its quotas (grandfathered).
 */
export async function publishPlan(tx: Tx, spec: PlanSpec, now = new Date()): Promise<{ plan: PlanWithEntitlements; created: boolean }> {
  const latest = await tx.plan.findFirst({ where: { key: spec.key }, orderBy: { version: "desc" }, include: { entitlements: true } });
  if (latest && sameAsSpec(latest, spec)) return { plan: latest, created: false };
  if (latest) await tx.plan.updateMany({ where: { key: spec.key, effectiveUntil: null }, data: { effectiveUntil: now, active: false } });
  const version = (latest?.version ?? 0) + 1;
  const plan = await tx.plan.create({
    data: {
      key: spec.key,
      version,
      name: spec.name,
      description: spec.description,
      monthlyPriceCents: spec.monthlyPriceCents,
      annualPriceCents: spec.annualPriceCents,
      monthlyLookupKey: `${spec.key}_v${version}_month`,
      annualLookupKey: `${spec.key}_v${version}_year`,
      trialDays: spec.trialDays,
      sortOrder: spec.sortOrder,
      effectiveFrom: now,
      runBaseUnits: dec(spec.ratios.runBaseUnits)!,
      dollarsToUnits: dec(spec.ratios.dollarsToUnits)!,
      maxUnitsPerRun: dec(spec.ratios.maxUnitsPerRun),
      actionWeights: spec.ratios.actionWeights,
      grantUnits: dec(spec.grant.units)!,
      grantExpiresDays: spec.grant.expiresDays,
      entitlements: {
        create: spec.entitlements.map((e) => ({ feature: e.feature, kind: e.kind, limit: dec(e.limit), period: e.period, overflow: e.overflow })),
      },
    },
    include: { entitlements: true },
  });
  return { plan, created: true };
}

/** The version new subscriptions of `key` get: the latest active one. */
export async function currentPlanVersion(tx: Tx, key: string): Promise<PlanWithEntitlements | null> {
  return tx.plan.findFirst({ where: { key, active: true }, orderBy: { version: "desc" }, include: { entitlements: true } });
}

/** When the seeded model prices take effect: before any usage. */
export const MODEL_PRICES_SINCE = new Date(0);

/** Seeds the default catalog, packs and model prices. Safe to run on every start. */
export async function seedCatalog(tx: Tx): Promise<{ plansCreated: number }> {
  let plansCreated = 0;
  for (const spec of defaultPlans) if ((await publishPlan(tx, spec)).created) plansCreated++;
  for (const p of defaultPacks) {
    await tx.extrasPack.upsert({
      where: { key: p.key },
      create: { key: p.key, name: p.name, units: p.units, priceCents: p.priceCents, expiresAfterDays: p.expiresAfterDays, sortOrder: p.sortOrder, lookupKey: `pack_${p.key}` },
      update: {},
    });
  }
  // Each model's first price version, in effect from the start of time; later versions are the console's
  // (a new version from a date), never overwritten here, so recorded usage keeps its price.
  await tx.modelPrice.createMany({
    data: defaultModelPrices.map((m) => ({ provider: m.provider, model: m.model, inputDollarsPerMillion: m.input, outputDollarsPerMillion: m.output, effectiveFrom: MODEL_PRICES_SINCE })),
    skipDuplicates: true,
  });
  return { plansCreated };
}
