import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { publishPlan, recordUsage } from "@/lib/billing";
import { defaultPlans, type PlanSpec } from "@/lib/billing/catalog";
import { currentTerms, moveWorkspace, previewMoves } from "@/lib/admin/plan-moves";
import { migrationItems, migrationPreview, runMigration, sameTerms, startMigration } from "@/lib/admin/plan-migrations";
import { operatorCancel } from "@/lib/admin/subscriptions";
import { setOverride } from "@/lib/admin/overrides";
import { archivePlanVersion } from "@/lib/admin/plans";
import { startPlanCheckout, startTrial } from "@/lib/payments";
import { syncStripeCatalog } from "@/lib/stripe";
import { newWorkspace, pay, requestKey, startPayments, subscriptionOf, type PaymentsEnv } from "../payments/helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const silent = { notifier: { async send() {} } };
const uid = () => crypto.randomUUID().slice(0, 8);

/** A plan of its own (from Pro's terms) at version 1, synced to Stripe, and its version 2 with a higher compute limit and price. */
async function twoVersions(label: string) {
  const pro = defaultPlans.find((p) => p.key === "pro")!;
  const v1Spec: PlanSpec = { ...pro, key: `${label}_${uid()}`, name: `Mig ${label}` };
  const v1 = (await publishPlan(db(), v1Spec)).plan;
  await syncStripeCatalog(db(), env.stripe);
  return { v1, v1Spec, publishV2: async () => {
    const v2 = (await publishPlan(db(), { ...v1Spec, monthlyPriceCents: 11900, annualPriceCents: 119000, entitlements: v1Spec.entitlements.map((e) => (e.feature === "compute" ? { ...e, limit: "20000" } : e.feature === "api_calls" ? { ...e, limit: "500000" } : e)) })).plan;
    await syncStripeCatalog(db(), env.stripe);
    return db().plan.findUniqueOrThrow({ where: { id: v2.id }, include: { entitlements: true } });
  } };
}

/** A workspace subscribed to `planKey` through a paid checkout (the webhook applied it). */
async function subscribed(planKey: string, label: string, interval: "month" | "year" = "month") {
  const ws = await newWorkspace(label);
  const { url } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey, interval, requestKey: requestKey() });
  await pay(url);
  await env.emulator.idle();
  const row = await subscriptionOf(ws.workspaceId);
  expect([row.plan.key, row.status]).toEqual([planKey, "active"]);
  return { ...ws, subscriptionId: row.stripeSubscriptionId! };
}

async function operator() {
  const op = await newWorkspace("mig-op");
  return { id: op.userId, email: op.email };
}

const planChanges = (workspaceId: string) => db().planChange.findMany({ where: { workspaceId }, orderBy: { changedAt: "asc" } });

describe("migrating one version's subscriptions to another", () => {
  it("the result equals the preview; a second run and a run after a kill change nothing more; every move is the operator's", async () => {
    const op = await operator();
    const { v1, publishV2 } = await twoVersions("mig");
    // Seeded on v1: two paid (monthly and annual) at Stripe, one in a card-less trial with usage, one with an override.
    const paidMonthly = await subscribed(v1.key, "mig-monthly");
    const paidAnnual = await subscribed(v1.key, "mig-annual", "year");
    const trial = await newWorkspace("mig-trial");
    await startTrial(db(), { workspaceId: trial.workspaceId, planKey: v1.key, userId: trial.userId });
    await recordUsage(db(), { workspaceId: trial.workspaceId, feature: "compute", units: 40, idempotencyKey: "t-1" }, silent);
    await recordUsage(db(), { workspaceId: paidMonthly.workspaceId, feature: "compute", units: 7, idempotencyKey: "m-1" }, silent);
    await setOverride(db(), op, { workspaceId: paidAnnual.workspaceId, feature: "compute", limit: "50000", endsAt: new Date(Date.now() + 30 * 86_400_000), memo: "enterprise deal", requestId: requestKey() });
    const v2 = await publishV2();
    // Another workspace on another plan is not touched.
    const bystander = await subscribed("starter", "mig-bystander");

    const preview = await migrationPreview(db(), { fromPlanId: v1.id, toPlanId: v2.id });
    expect(preview.total).toBe(3);
    const byId = new Map(preview.rows.map((r) => [r.workspaceId, r]));
    const monthly = byId.get(paidMonthly.workspaceId)!;
    expect(monthly.before).toMatchObject({ plan: `${v1.name} v1`, priceCents: 9900, limits: { compute: "10000", api_calls: "1000000" }, windows: { compute: "10000" } });
    expect(monthly.after).toMatchObject({ plan: `${v1.name} v2`, priceCents: 11900, limits: { compute: "20000", api_calls: "500000" }, windows: { compute: "20000" } });
    expect(monthly.notes.join(" ")).toMatch(/no proration/);
    // Annual: its override outranks both versions; the price is the annual one.
    expect(byId.get(paidAnnual.workspaceId)!.after).toMatchObject({ interval: "year", priceCents: 119000, limits: { compute: "50000" } });
    expect(byId.get(trial.workspaceId)!.after).toMatchObject({ priceCents: 11900, windows: { compute: "20000" } });

    // A run killed after one workspace, then resumed: each workspace moved once.
    const { migration } = await startMigration(db(), op, { fromPlanId: v1.id, toPlanId: v2.id });
    // A double submit starts no second migration.
    expect((await startMigration(db(), op, { fromPlanId: v1.id, toPlanId: v2.id })).created).toBe(false);
    const killed = await runMigration(db(), op, { migrationId: migration.id, stopAfter: 1 });
    expect([killed.moved, killed.pending, killed.migration.status]).toEqual([1, 2, "running"]);
    const resumed = await runMigration(db(), op, { migrationId: migration.id });
    expect([resumed.moved, resumed.pending, resumed.failed, resumed.migration.status]).toEqual([3, 0, 0, "done"]);

    const { items } = await migrationItems(db(), migration.id);
    expect(items).toHaveLength(3);
    for (const item of items) {
      const previewed = byId.get(item.workspaceId)!;
      // The frozen preview is the one shown, and the result read back from the database equals it.
      expect(sameTerms(item.expected.after, previewed.after)).toBe(true);
      const now = await currentTerms(db(), item.workspaceId);
      expect(sameTerms(now, previewed.after), item.workspaceId).toBe(true);
      expect(item.matches).toBe(true);
      const changes = await planChanges(item.workspaceId);
      expect(changes.filter((c) => c.toPlanId === v2.id).map((c) => [c.reason, c.actorEmail])).toEqual([["operator", op.email]]);
    }

    // Stripe bills the new price from the next renewal, with no proration invoice now.
    for (const ws of [paidMonthly, paidAnnual]) {
      const sub = await env.stripe.subscriptions.retrieve(ws.subscriptionId);
      expect(sub.items.data[0]!.price.id).toBe(ws === paidMonthly ? v2.stripeMonthlyPriceId : v2.stripeAnnualPriceId);
      const invoices = await env.stripe.invoices.list({ subscription: ws.subscriptionId });
      expect(invoices.data.map((i) => i.billing_reason)).toEqual(["subscription_create"]);
    }
    // The webhooks of those changes (delivered meanwhile) changed nothing more.
    await env.emulator.idle();
    for (const ws of [paidMonthly, paidAnnual, trial]) expect((await planChanges(ws.workspaceId)).filter((c) => c.toPlanId === v2.id)).toHaveLength(1);
    expect((await subscriptionOf(bystander.workspaceId)).plan.key).toBe("starter");

    // Running it again changes nothing.
    const before = await db().planChange.count();
    const again = await runMigration(db(), op, { migrationId: migration.id });
    expect([again.moved, again.migration.status]).toEqual([3, "done"]);
    expect(await db().planChange.count()).toBe(before);
    const audit = await db().auditLog.findMany({ where: { subjectId: migration.id }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => [a.action, a.actorEmail])).toEqual([
      ["plan.migration_started", op.email],
      ...[0, 1, 2].map(() => ["plan.moved", op.email]),
      ["plan.migration_finished", op.email],
    ]);
  });

  it("a crash between Stripe's change and the commit: the resumed move is one Stripe update and one operator plan change", async () => {
    const op = await operator();
    const { v1, publishV2 } = await twoVersions("crash");
    const ws = await subscribed(v1.key, "mig-crash");
    const v2 = await publishV2();
    const { migration } = await startMigration(db(), op, { fromPlanId: v1.id, toPlanId: v2.id });
    // What a run that died after Stripe answered left behind: the update made with the run's key, nothing committed.
    const sub = await env.stripe.subscriptions.retrieve(ws.subscriptionId);
    await env.stripe.subscriptions.update(
      sub.id,
      { items: [{ id: sub.items.data[0]!.id, price: v2.stripeMonthlyPriceId! }], proration_behavior: "none", metadata: { workspaceId: ws.workspaceId, planKey: v2.key, planVersion: "2" } },
      { idempotencyKey: `opmove_${sub.id}_${v2.stripeMonthlyPriceId}_${migration.id}` },
    );
    const r = await runMigration(db(), op, { migrationId: migration.id });
    expect([r.moved, r.failed]).toEqual([1, 0]);
    await env.emulator.idle();
    const changes = (await planChanges(ws.workspaceId)).filter((c) => c.toPlanId === v2.id);
    expect(changes.length).toBe(1);
    const { items } = await migrationItems(db(), migration.id);
    expect(items[0]!.matches).toBe(true);
  });

  it("failed moves (Stripe unreachable) roll back whole and are retried by the next run", async () => {
    const op = await operator();
    const { v1, publishV2 } = await twoVersions("fail");
    const ws = await subscribed(v1.key, "mig-fail");
    const v2 = await publishV2();
    const { migration } = await startMigration(db(), op, { fromPlanId: v1.id, toPlanId: v2.id });
    const { setStripeClient, createStripeClient } = await import("@/lib/stripe");
    setStripeClient(createStripeClient({ secretKey: "sk_test_emulator", apiBase: "http://127.0.0.1:9" }));
    try {
      const r = await runMigration(db(), op, { migrationId: migration.id });
      expect([r.moved, r.failed, r.migration.status]).toEqual([0, 1, "running"]);
    } finally {
      setStripeClient(env.stripe);
    }
    expect((await subscriptionOf(ws.workspaceId)).planId).toBe(v1.id);
    expect(await db().auditLog.count({ where: { workspaceId: ws.workspaceId, action: "plan.moved" } })).toBe(0);
    const r = await runMigration(db(), op, { migrationId: migration.id });
    expect([r.moved, r.failed, r.migration.status]).toEqual([1, 0, "done"]);
    expect((await subscriptionOf(ws.workspaceId)).planId).toBe(v2.id);
  });

  it("refuses what it cannot do: an archived target, the same version, a paid subscription to a free version", async () => {
    const op = await operator();
    const { v1, publishV2 } = await twoVersions("refuse");
    const v2 = await publishV2();
    await expect(startMigration(db(), op, { fromPlanId: v2.id, toPlanId: v1.id })).rejects.toMatchObject({ code: "invalid_request" }); // v1 archived by v2
    await expect(startMigration(db(), op, { fromPlanId: v2.id, toPlanId: v2.id })).rejects.toMatchObject({ code: "invalid_request" });
    const paid = await subscribed(v2.key, "mig-to-free");
    const free = await db().plan.findFirstOrThrow({ where: { key: "free", active: true }, include: { entitlements: true } });
    const [p] = await previewMoves(db(), [paid.workspaceId], free);
    expect(p!.blocked).toMatch(/cancel it instead/);
    const r = await moveWorkspace(db(), op, { workspaceId: paid.workspaceId, fromPlanId: v2.id, toPlanId: free.id, key: requestKey() });
    expect(r.outcome).toBe("skipped");
    expect((await subscriptionOf(paid.workspaceId)).planId).toBe(v2.id);
  });

  it("a single move to an archived version is skipped, saying why, and changes nothing", async () => {
    const op = await operator();
    const { v1, publishV2 } = await twoVersions("archived");
    const onV1 = await subscribed(v1.key, "mig-archived");
    const v2 = await publishV2();
    await archivePlanVersion(db(), op, { planId: v2.id });
    const [p] = await previewMoves(db(), [onV1.workspaceId], await db().plan.findUniqueOrThrow({ where: { id: v2.id }, include: { entitlements: true } }));
    expect(p!.blocked).toMatch(/archived/);
    const r = await moveWorkspace(db(), op, { workspaceId: onV1.workspaceId, fromPlanId: v1.id, toPlanId: v2.id, key: requestKey() });
    expect(r).toMatchObject({ outcome: "skipped", reason: expect.stringMatching(/archived/) });
    expect((await subscriptionOf(onV1.workspaceId)).planId).toBe(v1.id);
  });
});

describe("an operator cancels a subscription", () => {
  it("at the period end (nothing changes until then), or now (Free at once, the operator's plan change)", async () => {
    const op = await operator();
    const later = await subscribed("starter", "cancel-later");
    const r1 = await operatorCancel(db(), op, { workspaceId: later.workspaceId, when: "period_end", requestId: requestKey(), memo: "asked by email" });
    expect(r1.cancelAtPeriodEnd).toBe(true);
    const row = await subscriptionOf(later.workspaceId);
    expect([row.plan.key, row.status, row.cancelAtPeriodEnd]).toEqual(["starter", "active", true]);
    expect((await env.stripe.subscriptions.retrieve(later.subscriptionId)).cancel_at_period_end).toBe(true);
    // Submitted again: already scheduled at Stripe, nothing changed or logged.
    expect(await operatorCancel(db(), op, { workspaceId: later.workspaceId, when: "period_end", requestId: requestKey() })).toMatchObject({ changed: false, cancelAtPeriodEnd: true });

    const now = await subscribed("pro", "cancel-now");
    await recordUsage(db(), { workspaceId: now.workspaceId, feature: "compute", units: 5, idempotencyKey: "c-1" }, silent);
    const key = requestKey();
    // Submitted twice at once: one cancellation, one entry.
    const both = await Promise.all([0, 1].map(() => operatorCancel(db(), op, { workspaceId: now.workspaceId, when: "now", requestId: key })));
    expect(both.map((r) => r.changed).sort()).toEqual([false, true]);
    const after = await subscriptionOf(now.workspaceId);
    expect([after.plan.key, after.status]).toEqual(["free", "free"]);
    expect((await env.stripe.subscriptions.retrieve(now.subscriptionId)).status).toBe("canceled");
    const w = await db().usageWindow.findFirstOrThrow({ where: { workspaceId: now.workspaceId, feature: "compute" }, orderBy: { periodStart: "desc" } });
    expect(w.quota?.toFixed()).toBe("100"); // Free's quota, at once
    await env.emulator.idle();
    const changes = await planChanges(now.workspaceId);
    expect(changes.at(-1)).toMatchObject({ reason: "operator", actorEmail: op.email, toStatus: "free" });
    expect(changes.filter((c) => c.toStatus === "free")).toHaveLength(1);
    // Cancelled already: a second submit is refused, nothing more happens.
    await expect(operatorCancel(db(), op, { workspaceId: now.workspaceId, when: "now", requestId: key })).rejects.toMatchObject({ code: "conflict" });
    const actions = await db().auditLog.findMany({ where: { actorEmail: op.email }, orderBy: { seq: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["subscription.cancel_scheduled", "subscription.plan_changed", "subscription.canceled"]);
  });
});
