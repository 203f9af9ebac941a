import { afterAll, afterEach, describe, expect, it } from "vitest";
import { checkInvariants, onPlanChanged, publishPlan, recordInvariantRun, recordUsage } from "@/lib/billing";
import { inTransaction } from "@/lib/db";
import { removeWorkspace } from "../../setup/books";
import { closeTestDb, seedWorkspace, testDb, uid } from "./helpers";

// Each test breaks the books of a workspace of its own on purpose (in SQL, as a defect would), asserts that
// the checker names exactly that, and removes the workspace afterwards so the check after this file holds.

const silent = { notifier: { async send() {} } };
const DAY = 86_400_000;
const now = new Date();
const created: string[] = [];

afterEach(async () => {
  for (const id of created.splice(0)) await removeWorkspace(testDb(), id);
});
afterAll(closeTestDb);

async function workspace(opts: Parameters<typeof seedWorkspace>[0] = {}) {
  const seeded = await seedWorkspace(opts);
  created.push(seeded.workspaceId);
  return seeded;
}

const found = async (workspaceId: string) =>
  (await checkInvariants(testDb(), { workspaceId })).map((v) => [v.check, v.severity, v.id]).sort((a, b) => String(a).localeCompare(String(b)));

interface LotSpec {
  source?: "topup" | "grant" | "adjustment";
  units: string;
  expiresAt?: Date | null;
  expiredAt?: Date | null;
}
/** [lot index (or a lot id that does not exist), kind, signed units, time (default `now`)]. */
type EntrySpec = [number | string, string, string, Date?];

/**
 * Writes lots and ledger entries straight into the tables, the way the engine would leave them (numbered
 * entries, running balanceAfter, lot remaining = sum of its entries, cached balance = sum of all), so
 * only the rule a test breaks on purpose is broken.
 */
async function book(workspaceId: string, lots: LotSpec[], entries: EntrySpec[]): Promise<string[]> {
  const db = testDb();
  const ids = lots.map(() => `lot_${uid()}${uid()}`);
  for (const [i, lot] of lots.entries()) {
    const source = lot.source ?? "topup";
    await db.$executeRaw`
      INSERT INTO "ExtrasLot" (id, "workspaceId", source, "sourceRef", units, remaining, "expiresAt", "expiredAt", "createdAt")
      VALUES (${ids[i]}, ${workspaceId}, ${source}::"LotSource", ${`ref_${ids[i]}`}, ${lot.units}::numeric, 0,
              ${lot.expiresAt === undefined ? new Date(now.getTime() + 30 * DAY) : lot.expiresAt}, ${lot.expiredAt ?? null}, ${now})`;
  }
  let balance = 0;
  for (const [n, [lot, kind, units, at]] of entries.entries()) {
    balance += Number(units);
    const lotId = typeof lot === "number" ? ids[lot]! : lot;
    await db.$executeRaw`
      INSERT INTO "LedgerEntry" (id, "workspaceId", seq, "lotId", kind, units, "balanceAfter", "causeType", "causeId", "createdAt")
      VALUES (${`le_${uid()}${uid()}`}, ${workspaceId}, ${n + 1}, ${lotId}, ${kind}::"LedgerKind", ${units}::numeric, ${String(balance)}::numeric,
              ${kind === "settlement" ? "lot" : "test"}, ${kind === "settlement" ? ids[0]! : `${kind}_${n}`}, ${at ?? now})`;
    await db.$executeRaw`UPDATE "ExtrasLot" SET remaining = remaining + ${units}::numeric WHERE id = ${lotId}`;
  }
  await db.$executeRaw`UPDATE "ExtrasAccount" SET balance = ${String(balance)}::numeric, "lastSeq" = ${entries.length} WHERE "workspaceId" = ${workspaceId}`;
  return ids;
}

describe("invariant checker", () => {
  it("a well-kept book (credits, debits, a refund, an expiry) holds", async () => {
    const { workspaceId } = await workspace();
    await book(
      workspaceId,
      [{ units: "100" }, { units: "40", expiresAt: new Date(now.getTime() - DAY), expiredAt: new Date(now.getTime() - DAY) }, { source: "grant", units: "5", expiresAt: null }],
      [[0, "topup", "100"], [1, "topup", "40"], [0, "debit", "-30"], [1, "debit", "-10"], [1, "expiration", "-30"], [0, "refund", "-20"], [2, "grant", "5"]],
    );
    expect(await found(workspaceId)).toEqual([]);
  });

  it("a debt left on a lot while another lot can still pay (the debt would be charged twice)", async () => {
    const { workspaceId } = await workspace();
    // Pack B (50) spent and refunded in full: B owes 50. Pack A (100) bought later, 50 spent: A still holds 50.
    const [b, a] = await book(
      workspaceId,
      [{ units: "50" }, { units: "100" }],
      [[0, "topup", "50"], [0, "debit", "-50"], [0, "refund", "-50"], [1, "topup", "100"], [1, "debit", "-50"]],
    );
    const spent = await testDb().ledgerEntry.findFirstOrThrow({ where: { workspaceId, seq: 5 } });
    // Named twice: B's debt next to A's units now, and the debit that spent A's units instead of settling B.
    expect(await found(workspaceId)).toEqual([["debt_charged_twice", "critical", spent.id], ["debt_netted", "critical", b]]);
    // A lot past its expiry at the last ledger movement cannot pay (the cron has not expired it yet): nothing to net against.
    await testDb().extrasLot.update({ where: { id: a! }, data: { expiresAt: new Date(now.getTime() - 1000) } });
    expect(await found(workspaceId)).toEqual([]);
  });

  it("a debt charged twice, seen after the paying lot was spent and expired", async () => {
    const { workspaceId } = await workspace();
    const t0 = new Date(now.getTime() - 10 * DAY);
    const at = (hours: number) => new Date(t0.getTime() + hours * 3_600_000);
    // B (50) spent and refunded: B owes 50. A (100) bought, 50 spent from it instead of settling B, then
    // A expires with 50 more: the balance is -50 again, the debt taken a second time.
    await book(
      workspaceId,
      [{ units: "50" }, { units: "100", expiresAt: at(120), expiredAt: at(120) }],
      [[0, "topup", "50", at(0)], [0, "debit", "-50", at(1)], [0, "refund", "-50", at(2)], [1, "topup", "100", at(3)], [1, "debit", "-50", at(4)], [1, "expiration", "-50", at(120)]],
    );
    const entry = (seq: number) => testDb().ledgerEntry.findFirstOrThrow({ where: { workspaceId, seq } }).then((e) => e.id);
    expect(await found(workspaceId)).toEqual(
      [
        ["debt_charged_twice", "critical", await entry(5)],
        ["debt_charged_twice", "critical", await entry(6)],
      ].sort((x, y) => String(x).localeCompare(String(y))),
    );
  });

  it("a debt left while the other lots were past their expiry holds, and their expiry after it too", async () => {
    const { workspaceId } = await workspace();
    const t0 = new Date(now.getTime() - 10 * DAY);
    const at = (hours: number) => new Date(t0.getTime() + hours * 3_600_000);
    // A expires at hour 10 but the cron runs at hour 30; B is refunded at hour 20, when A can no longer pay.
    await book(
      workspaceId,
      [{ units: "40", expiresAt: at(10), expiredAt: at(30) }, { units: "50" }],
      [[0, "topup", "40", at(0)], [1, "topup", "50", at(1)], [1, "debit", "-50", at(2)], [1, "refund", "-50", at(20)], [0, "expiration", "-40", at(30)]],
    );
    expect(await found(workspaceId)).toEqual([]);
  });

  it("an expired lot that still holds spendable units", async () => {
    const { workspaceId } = await workspace();
    const [lot] = await book(workspaceId, [{ units: "30", expiresAt: new Date(now.getTime() - DAY), expiredAt: new Date(now.getTime() - DAY) }], [[0, "topup", "30"]]);
    expect(await found(workspaceId)).toEqual([["expired_lot_holds_nothing", "critical", lot]]);
  });

  it("a lot whose credit does not add up to its units, and a lot with no credit at all", async () => {
    const { workspaceId } = await workspace();
    const [short, none, grant] = await book(
      workspaceId,
      [{ units: "100" }, { units: "50" }, { source: "grant", units: "10" }],
      // The grant lot is credited by a topup entry, not its own kind: its grant credit is missing.
      [[0, "topup", "80"], [2, "topup", "10"]],
    );
    expect(await found(workspaceId)).toEqual(
      [
        ["lot_credit_equals_units", "critical", grant],
        ["lot_credit_equals_units", "critical", none],
        ["lot_credit_equals_units", "critical", short],
      ].sort((x, y) => String(x).localeCompare(String(y))),
    );
  });

  it("the lots' remainders do not add up to the balance (an entry on a lot that does not exist)", async () => {
    const { workspaceId } = await workspace();
    await book(workspaceId, [{ units: "20" }], [[0, "topup", "20"], [`lot_missing_${uid()}`, "debit", "-5"]]);
    expect(await found(workspaceId)).toEqual([["lots_sum_equals_balance", "critical", workspaceId]]);
  });

  it("settlements: a balanced pair holds, an unbalanced or one-sided settlement is named", async () => {
    const { workspaceId } = await workspace();
    // B owes 50, A pays it: -50 on A, +50 on B (the book helper gives every settlement entry the cause lot:<B>).
    await book(
      workspaceId,
      [{ units: "50" }, { units: "100" }],
      [[0, "topup", "50"], [0, "debit", "-50"], [0, "refund", "-50"], [1, "topup", "100"], [1, "settlement", "-50"], [0, "settlement", "50"]],
    );
    expect(await found(workspaceId)).toEqual([]);
    const other = (await workspace()).workspaceId;
    const [b] = await book(other, [{ units: "50" }, { units: "100" }], [[0, "topup", "50"], [0, "debit", "-50"], [0, "refund", "-50"], [1, "topup", "100"], [1, "settlement", "-30"], [0, "settlement", "50"]]);
    expect(await found(other)).toEqual([["settlement_pairs_balance", "critical", `lot:${b}`]]);
  });

  it("an event outside its window's time range", async () => {
    const { workspaceId } = await workspace({ compute: { limit: "100", overflow: "block", period: "month" } });
    const t = new Date(now.getTime() - 60_000);
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 3, idempotencyKey: "before", now: new Date(t.getTime() - 1000) }, silent);
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 2, idempotencyKey: "after", now: t }, silent);
    expect(await found(workspaceId)).toEqual([]);
    // A period cut at `t` that leaves the event recorded at `t` in the window it no longer covers.
    await testDb().usageWindow.updateMany({ where: { workspaceId }, data: { periodEnd: t } });
    const late = await testDb().usageEvent.findFirstOrThrow({ where: { workspaceId, idempotencyKey: "after" } });
    expect(await found(workspaceId)).toEqual([["event_in_window_range", "warning", late.id]]);
  });

  it("a legitimate downgrade (quota lowered below what was used) holds; units admitted above the lowered quota do not", async () => {
    const seeded = await workspace({ compute: { limit: "10", overflow: "block", period: "month" } });
    const { workspaceId } = seeded;
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 8, idempotencyKey: "used", now }, silent);
    // Moved to a plan with a quota of 5, applied to the current window at once (as when an unpaid workspace goes to Free).
    const lower = await publishPlan(testDb(), { ...seeded.spec, key: `t_${uid()}`, entitlements: seeded.spec.entitlements.map((e) => (e.feature === "compute" ? { ...e, limit: "5" } : e)) });
    await testDb().subscription.update({ where: { workspaceId }, data: { planId: lower.plan.id } });
    expect((await onPlanChanged(testDb(), { workspaceId, now, lowerQuotas: true })).changedWindowIds).toHaveLength(1);
    const window = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" } });
    expect([window.quota?.toFixed(), window.used.toFixed()]).toEqual(["5", "8"]);
    expect(await found(workspaceId)).toEqual([]);
    // One more unit counted against the lowered quota, as a defect in the quota check would.
    await testDb().$executeRaw`UPDATE "UsageWindow" SET used = used + 1 WHERE id = ${window.id}`;
    await testDb().$executeRaw`
      INSERT INTO "UsageEvent" (id, "workspaceId", feature, "windowId", units, "quotaUnits", "idempotencyKey", "requestHash", response, "createdAt")
      VALUES (${`ev_${uid()}`}, ${workspaceId}, 'compute', ${window.id}, 1, 1, 'over', 'h', '{}'::jsonb, ${now})`;
    expect(await found(workspaceId)).toEqual([["window_within_quota", "warning", window.id]]);
  });

  it("events moved into a window with a lower quota (a renewal placing them in the new period) hold", async () => {
    const seeded = await workspace({ compute: { limit: "10", overflow: "block", period: "month" } });
    const { workspaceId } = seeded;
    const t = new Date(now.getTime() - 60_000);
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 2, idempotencyKey: "old", now: new Date(t.getTime() - 1000) }, silent);
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 7, idempotencyKey: "new", now: t }, silent);
    // The period is cut at t; the event at t moves into a new window opened with the new plan's quota of 5.
    const old = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId } });
    const moved = await testDb().usageEvent.findFirstOrThrow({ where: { workspaceId, idempotencyKey: "new" } });
    const id = `w_${uid()}`;
    await testDb().$executeRaw`
      INSERT INTO "UsageWindow" (id, "workspaceId", feature, kind, period, "periodStart", "periodEnd", quota, used, overflow, "planId")
      VALUES (${id}, ${workspaceId}, 'compute', 'meter', 'month', ${t}, ${old.periodEnd}, 5, 0, 'block', ${seeded.planId})`;
    await testDb().$executeRaw`UPDATE "UsageWindow" SET "periodEnd" = ${t} WHERE id = ${old.id}`;
    await testDb().$executeRaw`UPDATE "UsageEvent" SET "windowId" = ${id} WHERE id = ${moved.id}`;
    await testDb().$executeRaw`
      UPDATE "UsageWindow" w SET used = (SELECT COALESCE(sum(e."quotaUnits"), 0) FROM "UsageEvent" e WHERE e."windowId" = w.id) WHERE id IN (${id}, ${old.id})`;
    expect((await testDb().usageWindow.findUniqueOrThrow({ where: { id } })).used.toFixed()).toBe("7");
    expect(await found(workspaceId)).toEqual([]);
  });

  it("one Stripe subscription mirrored on two workspaces", async () => {
    const a = (await workspace()).workspaceId;
    const b = (await workspace()).workspaceId;
    const stripeId = `sub_${uid()}`;
    // The schema forbids this (unique stripeSubscriptionId): drop that index inside a transaction that is rolled back.
    let seen: string[][] = [];
    const rollback = new Error("rolled back on purpose");
    await expect(
      inTransaction(testDb(), async (tx) => {
        await tx.$executeRawUnsafe(`DROP INDEX "Subscription_stripeSubscriptionId_key"`);
        await tx.subscription.updateMany({ where: { workspaceId: { in: [a, b] } }, data: { stripeSubscriptionId: stripeId } });
        const v = await checkInvariants(tx);
        seen = v.filter((x) => x.check === "one_live_subscription").map((x) => [x.severity, x.workspaceId, x.actual]);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(seen.sort()).toEqual([["warning", a, `also on ${b}`], ["warning", b, `also on ${a}`]].sort());
    expect(await testDb().subscription.count({ where: { stripeSubscriptionId: stripeId } })).toBe(0);
  });

  it("a workspace that mirrors a subscription cancelled as its duplicate, or one checked out for another workspace", async () => {
    const a = (await workspace()).workspaceId;
    const b = (await workspace()).workspaceId;
    const [kept, duplicate, foreign] = [`sub_${uid()}`, `sub_${uid()}`, `sub_${uid()}`];
    await testDb().subscriptionCheckout.createMany({
      data: [
        { workspaceId: a, checkoutSessionId: `cs_${uid()}`, stripeSubscriptionId: kept },
        { workspaceId: a, checkoutSessionId: `cs_${uid()}`, stripeSubscriptionId: duplicate, endedAt: now, supersededBy: kept },
        { workspaceId: a, checkoutSessionId: `cs_foreign_${uid()}`, stripeSubscriptionId: foreign },
      ],
    });
    // As it should be: A shows the kept subscription.
    await testDb().subscription.update({ where: { workspaceId: a }, data: { stripeSubscriptionId: kept } });
    expect(await found(a)).toEqual([]);
    // A shows the duplicate it cancelled; B shows a subscription A checked out.
    await testDb().subscription.update({ where: { workspaceId: a }, data: { stripeSubscriptionId: duplicate } });
    await testDb().subscription.update({ where: { workspaceId: b }, data: { stripeSubscriptionId: foreign } });
    const foreignCheckout = await testDb().subscriptionCheckout.findUniqueOrThrow({ where: { stripeSubscriptionId: foreign } });
    expect(await found(a)).toEqual(
      [
        ["one_live_subscription", "warning", duplicate],
        ["one_live_subscription", "warning", foreignCheckout.checkoutSessionId],
      ].sort((x, y) => String(x).localeCompare(String(y))),
    );
  });

  it("recordInvariantRun stores a violation once, keeps it while found, resolves it when gone and reopens it", async () => {
    const { workspaceId } = await workspace();
    const [lot] = await book(workspaceId, [{ units: "30", expiresAt: new Date(now.getTime() - DAY), expiredAt: new Date(now.getTime() - DAY) }], [[0, "topup", "30"]]);
    const stored = () => testDb().invariantViolation.findMany({ where: { workspaceId } });
    const t1 = new Date(now.getTime() + 1000);
    expect(await recordInvariantRun(testDb(), { workspaceId, now: t1 })).toMatchObject({ critical: 1, warning: 0, opened: 1, resolved: 0 });
    expect(await stored()).toMatchObject([
      { check: "expired_lot_holds_nothing", severity: "critical", subjectId: lot, actual: "30", firstSeenAt: t1, lastSeenAt: t1, resolvedAt: null },
    ]);
    const t2 = new Date(now.getTime() + 2000);
    expect(await recordInvariantRun(testDb(), { workspaceId, now: t2 })).toMatchObject({ critical: 1, opened: 0, resolved: 0 });
    expect(await stored()).toMatchObject([{ firstSeenAt: t1, lastSeenAt: t2, resolvedAt: null }]);
    // Repaired: the lot's units expire as they should have.
    await testDb().extrasLot.update({ where: { id: lot! }, data: { expiredAt: null } });
    const t3 = new Date(now.getTime() + 3000);
    expect(await recordInvariantRun(testDb(), { workspaceId, now: t3 })).toMatchObject({ critical: 0, warning: 0, opened: 0, resolved: 1 });
    expect(await stored()).toMatchObject([{ firstSeenAt: t1, lastSeenAt: t2, resolvedAt: t3 }]);
    await testDb().extrasLot.update({ where: { id: lot! }, data: { expiredAt: now } });
    const t4 = new Date(now.getTime() + 4000);
    expect(await recordInvariantRun(testDb(), { workspaceId, now: t4 })).toMatchObject({ critical: 1, opened: 1, resolved: 0 });
    expect(await stored()).toMatchObject([{ firstSeenAt: t4, lastSeenAt: t4, resolvedAt: null }]);
  });
});
