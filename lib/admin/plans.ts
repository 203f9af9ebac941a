import { createHash } from "node:crypto";
import { publishPlan, type Client } from "@/lib/billing";
import type { EntitlementSpec, OverflowName, PeriodName, PlanSpec } from "@/lib/billing/catalog";
import { FREE_PLAN_KEY } from "@/lib/billing/catalog";
import { inTransaction } from "@/lib/db";
import { isUniqueViolation } from "@/lib/billing/db-errors";
import type { Tx } from "@/lib/db";
import { AppError, messageOf } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { stripe, syncStripeCatalog } from "@/lib/stripe";
import { recordAudit } from "./audit";
import type { Operator } from "./operators";
import { planLabel } from "./plan-moves";
import { formatMoney } from "@/lib/format";

type PlanRow = Prisma.PlanGetPayload<{ include: { entitlements: true } }>;

export interface VersionSummary {
  id: string;
  version: number;
  name: string;
  active: boolean;
  monthlyPriceCents: number;
  annualPriceCents: number;
  currency: string;
  effectiveFrom: Date;
  effectiveUntil: Date | null;
  stripeSynced: boolean;
  subscriptions: number;
}

export interface PlanKeySummary {
  key: string;
  name: string;
  versions: VersionSummary[]; // newest first
}

/**
 * Every plan key with its versions (newest first): active (offered to new subscriptions) or archived, and
 * how many subscriptions each holds (one grouped count over the (planId, workspaceId) index).
 */
export async function planCatalog(db: Client): Promise<PlanKeySummary[]> {
  const [plans, counts] = await Promise.all([
    db.plan.findMany({ orderBy: [{ sortOrder: "asc" }, { key: "asc" }, { version: "desc" }] }),
    db.subscription.groupBy({ by: ["planId"], _count: { _all: true } }),
  ]);
  const n = new Map(counts.map((c) => [c.planId, c._count._all]));
  const out: PlanKeySummary[] = [];
  for (const p of plans) {
    let group = out.find((g) => g.key === p.key);
    if (!group) out.push((group = { key: p.key, name: p.name, versions: [] }));
    group.versions.push({
      id: p.id, version: p.version, name: p.name, active: p.active, monthlyPriceCents: p.monthlyPriceCents, annualPriceCents: p.annualPriceCents,
      currency: p.currency, effectiveFrom: p.effectiveFrom, effectiveUntil: p.effectiveUntil,
      stripeSynced: (p.monthlyPriceCents <= 0 && p.annualPriceCents <= 0) || (!!p.stripeMonthlyPriceId && !!p.stripeAnnualPriceId),
      subscriptions: n.get(p.id) ?? 0,
    });
  }
  return out;
}

export async function planVersions(db: Client, key: string): Promise<PlanRow[]> {
  return db.plan.findMany({ where: { key }, orderBy: { version: "desc" }, include: { entitlements: true } });
}

const dec = (v: { toFixed(): string } | null) => (v === null ? null : v.toFixed());

/** A stored version as the spec publishPlan takes (what the editor starts from). */
export function specOf(plan: PlanRow): PlanSpec {
  // Lightest action first (small, medium, large, xl): jsonb hands the keys back in its own order.
  const weights = Object.fromEntries(
    Object.entries(plan.actionWeights as Record<string, string | number>)
      .sort(([, a], [, b]) => Number(a) - Number(b))
      .map(([k, v]) => [k, String(v)]),
  );
  return {
    key: plan.key, name: plan.name, description: plan.description, monthlyPriceCents: plan.monthlyPriceCents, annualPriceCents: plan.annualPriceCents,
    trialDays: plan.trialDays, sortOrder: plan.sortOrder,
    ratios: { runBaseUnits: plan.runBaseUnits.toFixed(), dollarsToUnits: plan.dollarsToUnits.toFixed(), maxUnitsPerRun: dec(plan.maxUnitsPerRun), actionWeights: weights },
    grant: { units: plan.grantUnits.toFixed(), expiresDays: plan.grantExpiresDays },
    entitlements: [...plan.entitlements]
      .sort((a, b) => a.feature.localeCompare(b.feature))
      .map((e) => ({ feature: e.feature, kind: e.kind, limit: dec(e.limit), period: e.period as PeriodName, overflow: e.overflow as OverflowName })),
  };
}

// ---------------------------------------------------------------- the editor's form

const UNITS_RE = /^\d{1,12}(\.\d{1,6})?$/;
const MONEY_RE = /^\d{1,7}(\.\d{1,2})?$/;
const PERIODS: PeriodName[] = ["day", "week", "month", "billing_period", "lifetime"];
const OVERFLOWS: OverflowName[] = ["block", "extras", "soft"];

const canonicalUnits = (v: string) => (v.includes(".") ? v.replace(/0+$/, "").replace(/\.$/, "") : v).replace(/^0+(?=\d)/, "");

/**
 * The editor's fields over the current version: name, description, monthly/annual (dollars), trialDays,
 * runBaseUnits, dollarsToUnits, maxUnitsPerRun (blank = no cap), weight.<action>, grantUnits,
 * grantExpiresDays (blank = never), and per feature limit.<f> (blank or "unlimited"), period.<f>, overflow.<f>.
 * The key, the sort order, the features and their kinds stay those of the current version. Errors name the field.
 */
export function specFromForm(base: PlanSpec, form: Record<string, string | undefined>): PlanSpec {
  const text = (name: string) => (form[name] ?? "").trim();
  const fail = (field: string, message: string): never => {
    throw new AppError("invalid_request", message, { field });
  };
  const units = (field: string, opts: { blank?: null } = {}) => {
    const v = text(field);
    if (v === "" && "blank" in opts) return null;
    if (!UNITS_RE.test(v)) fail(field, `${field}: enter a number like 100 or 2.5 (up to 6 decimals).`);
    return canonicalUnits(v);
  };
  const cents = (field: string) => {
    const v = text(field);
    if (!MONEY_RE.test(v)) fail(field, `${field}: enter an amount like 99 or 119.50.`);
    return Math.round(Number(v) * 100);
  };
  const int = (field: string, max: number, opts: { blank?: null } = {}) => {
    const v = text(field);
    if (v === "" && "blank" in opts) return null;
    if (!/^\d{1,5}$/.test(v) || Number(v) > max) fail(field, `${field}: enter a whole number from 0 to ${max}.`);
    return Number(v);
  };
  const name = text("name");
  if (name.length < 1 || name.length > 60) fail("name", "name: 1 to 60 characters.");
  const description = text("description");
  if (description.length > 300) fail("description", "description: at most 300 characters.");
  const entitlements: EntitlementSpec[] = base.entitlements.map((e) => {
    const raw = text(`limit.${e.feature}`).toLowerCase();
    const limit = raw === "" || raw === "unlimited" ? null : units(`limit.${e.feature}`);
    const period = text(`period.${e.feature}`) as PeriodName;
    const overflow = text(`overflow.${e.feature}`) as OverflowName;
    if (!PERIODS.includes(period)) fail(`period.${e.feature}`, `period.${e.feature}: one of ${PERIODS.join(", ")}.`);
    if (!OVERFLOWS.includes(overflow)) fail(`overflow.${e.feature}`, `overflow.${e.feature}: one of ${OVERFLOWS.join(", ")}.`);
    if (e.kind === "gauge" && period !== "lifetime") fail(`period.${e.feature}`, `${e.feature} is claimed and released: its period stays lifetime.`);
    if (e.kind === "gauge" && overflow !== "block") fail(`overflow.${e.feature}`, `${e.feature} is claimed and released: past its limit it blocks.`);
    return { ...e, limit, period, overflow };
  });
  const weights: Record<string, string> = {};
  for (const action of Object.keys(base.ratios.actionWeights)) weights[action] = units(`weight.${action}`)!;
  const monthlyPriceCents = cents("monthly");
  const annualPriceCents = cents("annual");
  if ((monthlyPriceCents === 0) !== (annualPriceCents === 0)) fail("annual", "A plan is free on both intervals or paid on both.");
  return {
    ...base,
    name,
    description,
    monthlyPriceCents,
    annualPriceCents,
    trialDays: int("trialDays", 90)!,
    ratios: { runBaseUnits: units("runBaseUnits")!, dollarsToUnits: units("dollarsToUnits")!, maxUnitsPerRun: units("maxUnitsPerRun", { blank: null }), actionWeights: weights },
    grant: { units: units("grantUnits")!, expiresDays: int("grantExpiresDays", 3650, { blank: null }) },
    entitlements,
  };
}

// ---------------------------------------------------------------- the diff

export interface DiffLine {
  field: string;
  before: string;
  after: string;
}

const limitText = (v: string | null) => (v === null ? "unlimited" : v);

/** What changes from one version to the next, one line per field that differs (an empty list: nothing changes). */
export function diffSpecs(a: PlanSpec, b: PlanSpec): DiffLine[] {
  const lines: DiffLine[] = [];
  const push = (field: string, x: string, y: string) => {
    if (x !== y) lines.push({ field, before: x, after: y });
  };
  push("Name", a.name, b.name);
  push("Description", a.description, b.description);
  push("Monthly price", formatMoney(a.monthlyPriceCents), formatMoney(b.monthlyPriceCents));
  push("Annual price", formatMoney(a.annualPriceCents), formatMoney(b.annualPriceCents));
  push("Trial days", String(a.trialDays), String(b.trialDays));
  for (const e of b.entitlements) {
    const old = a.entitlements.find((x) => x.feature === e.feature);
    push(`${e.feature} limit`, old ? limitText(old.limit) : "—", limitText(e.limit));
    push(`${e.feature} period`, old?.period ?? "—", e.period);
    push(`${e.feature} overflow`, old?.overflow ?? "—", e.overflow);
  }
  push("Run base units", a.ratios.runBaseUnits, b.ratios.runBaseUnits);
  push("Dollars to units", a.ratios.dollarsToUnits, b.ratios.dollarsToUnits);
  push("Max units per run", a.ratios.maxUnitsPerRun ?? "no cap", b.ratios.maxUnitsPerRun ?? "no cap");
  for (const [action, w] of Object.entries(b.ratios.actionWeights)) push(`Weight of ${action}`, a.ratios.actionWeights[action] ?? "—", w);
  push("Grant units", a.grant.units, b.grant.units);
  push("Grant expires after", a.grant.expiresDays === null ? "never" : `${a.grant.expiresDays} days`, b.grant.expiresDays === null ? "never" : `${b.grant.expiresDays} days`);
  return lines;
}

// ---------------------------------------------------------------- publish, archive, restore

async function latestOf(db: Client, key: string): Promise<PlanRow> {
  const latest = await db.plan.findFirst({ where: { key }, orderBy: { version: "desc" }, include: { entitlements: true } });
  if (!latest) throw new AppError("not_found", "Plan not found.");
  return latest;
}

/**
 * Publishes the next version of a plan from the editor's spec, built over `basedOnPlanId` (the latest version
 * when the editor opened: if another was published since, the diff the operator saw is stale and this is
 * refused). The new version becomes the one new subscriptions get; older versions stop taking new ones and
 * their subscriptions keep them (grandfathered). Then the catalog sync creates its Stripe prices, as
 * `npm run stripe:setup` and start-up do; if Stripe fails, the version is published without prices and the
 * answer says so (the reconcile cron, or publishing again, syncs them).
 */
export async function publishPlanVersion(db: Client, op: Operator, input: { basedOnPlanId: string; spec: PlanSpec; now?: Date }) {
  const now = input.now ?? new Date();
  let published;
  try {
    published = await inTransaction(db, async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`plan_publish:${input.spec.key}`}))`;
      const latest = await latestOf(tx, input.spec.key);
      if (latest.id !== input.basedOnPlanId) throw new AppError("conflict", `${planLabel(latest)} was published since this editor opened; review the changes again.`);
      const diff = diffSpecs(specOf(latest), input.spec);
      if (diff.length === 0) throw new AppError("invalid_request", "Nothing changed: this version would say what the current one says.");
      const r = await publishPlan(tx, input.spec, now);
      await recordAudit(tx, { kind: "operator", id: op.id, email: op.email }, {
        action: "plan.published", subjectType: "plan", subjectId: r.plan.id,
        before: { plan: planLabel(latest), planId: latest.id }, after: { plan: planLabel(r.plan), planId: r.plan.id, changes: diff },
      });
      return r.plan;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("conflict", "Another version was published at the same moment; review the changes again.");
    throw e;
  }
  let stripeSync: { created: number; found: number } | { error: string };
  try {
    stripeSync = await syncStripeCatalog(db as Tx, stripe());
  } catch (e) {
    stripeSync = { error: messageOf(e) };
  }
  return { plan: published, stripeSync };
}

/** Stops a version taking new subscriptions; the subscriptions on it keep it. Free cannot be archived: it is where cancellations land. */
export async function archivePlanVersion(db: Client, op: Operator, input: { planId: string; memo?: string | null; now?: Date }) {
  const now = input.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const plan = await tx.plan.findUnique({ where: { id: input.planId } });
    if (!plan) throw new AppError("not_found", "Plan version not found.");
    if (!plan.active) return { archived: false, plan };
    const actives = await tx.plan.count({ where: { key: plan.key, active: true } });
    if (plan.key === FREE_PLAN_KEY && actives <= 1) throw new AppError("invalid_request", "Free is where canceled and unpaid workspaces go: publish a new version of it instead of archiving it.");
    const updated = await tx.plan.update({ where: { id: plan.id }, data: { active: false, effectiveUntil: now } });
    await recordAudit(tx, { kind: "operator", id: op.id, email: op.email }, {
      action: "plan.archived", subjectType: "plan", subjectId: plan.id, memo: input.memo ?? null,
      before: { plan: planLabel(plan), active: true }, after: { plan: planLabel(plan), active: false, subscriptionsKept: await tx.subscription.count({ where: { planId: plan.id } }) },
    });
    return { archived: true, plan: updated };
  });
}

/** Offers an archived version again: only the newest version of its plan, so one version of a plan is offered at a time. */
export async function restorePlanVersion(db: Client, op: Operator, input: { planId: string }) {
  return inTransaction(db, async (tx) => {
    const plan = await tx.plan.findUnique({ where: { id: input.planId } });
    if (!plan) throw new AppError("not_found", "Plan version not found.");
    if (plan.active) return { restored: false, plan };
    const latest = await latestOf(tx, plan.key);
    if (latest.id !== plan.id) throw new AppError("invalid_request", `Only the newest version (${planLabel(latest)}) can be offered again; publish a new version instead.`);
    const updated = await tx.plan.update({ where: { id: plan.id }, data: { active: true, effectiveUntil: null } });
    await recordAudit(tx, { kind: "operator", id: op.id, email: op.email }, {
      action: "plan.restored", subjectType: "plan", subjectId: plan.id, before: { plan: planLabel(plan), active: false }, after: { plan: planLabel(plan), active: true },
    });
    return { restored: true, plan: updated };
  });
}

/**
 * What the operator reviewed: the base version and the spec, hashed. Publishing requires the digest of the
 * review, so a version is never published from fields whose diff was not shown.
 */
export function specDigest(basedOnPlanId: string, spec: PlanSpec): string {
  return createHash("sha256").update(JSON.stringify({ basedOnPlanId, spec })).digest("hex").slice(0, 32);
}
