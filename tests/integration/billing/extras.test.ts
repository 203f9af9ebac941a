import { afterAll, describe, expect, it } from "vitest";
import {
  adjustExtras,
  clawbackRefund,
  completeAutoTopUp,
  configureAutoTopUp,
  expireLots,
  extrasBalance,
  grantExtras,
  recordUsage,
  topupExtras,
  type PaymentsPort,
} from "@/lib/billing";
import { recordingDb, scansOf } from "../../helpers/query-plans";
import { removeWorkspace } from "../../setup/books";
import { closeTestDb, expectBooksHold, seedWorkspace, settle, testDb, uid } from "./helpers";

const recorder = recordingDb();
afterAll(async () => {
  await recorder.close();
  await closeTestDb();
});

const silent = { notifier: { async send() {} } };
const DAY = 86_400_000;
const now = new Date("2026-11-18T12:00:00.000Z");

/** A workspace whose compute quota (10 a week) is used up, so every further unit comes from extras. */
async function spentWorkspace() {
  const seeded = await seedWorkspace({ compute: { limit: "10", overflow: "extras", period: "week" } });
  await recordUsage(testDb(), { workspaceId: seeded.workspaceId, feature: "compute", units: 10, idempotencyKey: "quota", now }, silent);
  return seeded;
}

// By reference: lots bought at one `now` share their createdAt, so that order is the database's to choose.
const lotsOf = (workspaceId: string) =>
  testDb().extrasLot.findMany({ where: { workspaceId }, orderBy: { sourceRef: "asc" } }).then((ls) => ls.map((l) => [l.sourceRef, l.remaining.toFixed()]));

describe("extras ledger", () => {
  it("spends the soonest-expiring lot first, one debit entry per lot", async () => {
    const { workspaceId } = await spentWorkspace();
    const t = (ref: string, units: number, expiresAt: Date | null) =>
      topupExtras(testDb(), { workspaceId, pack: "compute_500", units, checkoutSessionId: ref, expiresAt, now });
    await t("cs_later", 30, new Date(now.getTime() + 10 * DAY));
    await t("cs_never", 50, null);
    await t("cs_soon", 20, new Date(now.getTime() + 5 * DAY));
    const a = await recordUsage(testDb(), { workspaceId, feature: "compute", units: 30, idempotencyKey: "a", now }, silent);
    expect(a).toMatchObject({ remaining: "0", extrasRemaining: "70" });
    expect(await lotsOf(workspaceId)).toEqual([["cs_later", "20"], ["cs_never", "50"], ["cs_soon", "0"]]);
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 25, idempotencyKey: "b", now }, silent);
    expect(await lotsOf(workspaceId)).toEqual([["cs_later", "0"], ["cs_never", "45"], ["cs_soon", "0"]]);
    const debits = await testDb().ledgerEntry.findMany({ where: { workspaceId, kind: "debit" }, orderBy: { seq: "asc" } });
    expect(debits.map((d) => [d.units.toFixed(), d.balanceAfter.toFixed()])).toEqual([
      ["-20", "80"],
      ["-10", "70"],
      ["-20", "50"],
      ["-5", "45"],
    ]);
    await expectBooksHold(workspaceId);
  });

  it("expiration writes one entry per lot, once, even when run twice at the same time", async () => {
    const { workspaceId } = await spentWorkspace();
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 40, checkoutSessionId: `cs_${uid()}`, expiresAt: new Date(now.getTime() + DAY), now });
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 25, checkoutSessionId: `cs_${uid()}`, expiresAt: new Date(now.getTime() + 2 * DAY), now });
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 7, checkoutSessionId: `cs_${uid()}`, expiresAt: null, now });
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 15, idempotencyKey: "spend", now }, silent);
    const later = new Date(now.getTime() + 3 * DAY);
    const runs = await Promise.all([
      expireLots(testDb(), { now: later, workspaceId, cronRunId: "run-1" }),
      expireLots(testDb(), { now: later, workspaceId, cronRunId: "run-2" }),
    ]);
    expect(runs.reduce((s, r) => s + r.entries.length, 0)).toBe(2);
    const expirations = await testDb().ledgerEntry.findMany({ where: { workspaceId, kind: "expiration" }, orderBy: { seq: "asc" } });
    expect(expirations.map((e) => e.units.toFixed()).sort()).toEqual(["-25", "-25"]); // 40 - 15 spent, and 25 untouched
    expect(await extrasBalance(testDb(), workspaceId, later)).toEqual({ balance: "7", usable: "7" });
    expect((await expireLots(testDb(), { now: later, workspaceId })).entries).toEqual([]);
    await expectBooksHold(workspaceId);
  });

  it("the expiry run finds the lots due without reading the ones already expired", async () => {
    const { workspaceId } = await seedWorkspace({});
    try {
      // 20,000 lots that expired long ago, as years of packs leave behind, and statistics that know them.
      await testDb().$executeRaw`
        INSERT INTO "ExtrasLot" (id, "workspaceId", source, "sourceRef", units, remaining, "expiresAt", "expiredAt")
        SELECT 'old-' || ${workspaceId} || '-' || g, ${workspaceId}, 'grant', 'old-' || g, 10, 0,
               TIMESTAMP '1999-01-01' + (g || ' seconds')::interval, TIMESTAMP '1999-02-01'
        FROM generate_series(1, 20000) g`;
      await testDb().$executeRawUnsafe(`ANALYZE "ExtrasLot"`);
      // A run in 2000: every lot of that time has expired already, so there is nothing to do.
      recorder.statements.length = 0;
      expect(await expireLots(recorder.db, { now: new Date("2000-01-01T00:00:00Z") })).toEqual({ lotsExpired: 0, entries: [], more: false });
      expect(recorder.statements).toHaveLength(1);
      const scans = await scansOf(recorder.pool, recorder.statements[0]!, "ExtrasLot");
      // Through the index of unexpired lots: nothing read, where the expiresAt index reads all 20,000.
      expect(scans.map((s) => s.index)).toEqual(["ExtrasLot_expiresAt_due_idx"]);
      expect(scans[0]!.rows).toBeLessThan(200);
    } finally {
      await removeWorkspace(testDb(), workspaceId);
      await testDb().$executeRawUnsafe(`ANALYZE "ExtrasLot"`);
    }
  });

  it("a partial refund claws back in proportion, may leave the balance negative, and then extras cover nothing", async () => {
    const { workspaceId } = await spentWorkspace();
    const pi = `pi_${uid()}`;
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", checkoutSessionId: `cs_${uid()}`, paymentIntentId: pi, amountCents: 2000, now });
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 400, idempotencyKey: "spend", now }, silent);
    // Half the price back: half the 500 units (250) clawed back from a lot holding 100.
    const half = await clawbackRefund(testDb(), { paymentIntentId: pi, refundId: "re_1", amountCents: 1000, now });
    expect([half.clawedUnits, half.balance]).toEqual(["250", "-150"]);
    expect(await clawbackRefund(testDb(), { paymentIntentId: pi, refundId: "re_1", amountCents: 1000, now })).toMatchObject({ created: false, balance: "-150" });
    // A new pack of 100 while at -150: the balance is -50, so extras still cover nothing, whatever the lots hold.
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 100, checkoutSessionId: `cs_${uid()}`, now });
    expect(await extrasBalance(testDb(), workspaceId, now)).toEqual({ balance: "-50", usable: "0" });
    await expect(recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "refused", now }, silent)).rejects.toMatchObject({
      code: "quota_exhausted",
      details: { extrasRemaining: "-50" },
    });
    // The rest of the price: exactly the other 250 units, never a rounding unit more.
    const rest = await clawbackRefund(testDb(), { paymentIntentId: pi, refundId: "re_2", amountCents: 1000, now });
    expect([rest.clawedUnits, rest.balance]).toEqual(["250", "-300"]);
    await expect(clawbackRefund(testDb(), { paymentIntentId: pi, refundId: "re_3", amountCents: 1, now })).rejects.toMatchObject({ code: "invalid_request" });
    expect(await testDb().ledgerEntry.count({ where: { workspaceId, kind: "refund" } })).toBe(2);
    await expectBooksHold(workspaceId);
  });

  it("rounds proportional clawbacks so that partial refunds add up to the whole lot", async () => {
    const { workspaceId } = await spentWorkspace();
    const pi = `pi_${uid()}`;
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 100, checkoutSessionId: `cs_${uid()}`, paymentIntentId: pi, amountCents: 300, now });
    const parts = [];
    for (const [i, cents] of [100, 100, 100].entries()) parts.push((await clawbackRefund(testDb(), { paymentIntentId: pi, refundId: `re_${i}`, amountCents: cents, now })).clawedUnits);
    expect(parts).toEqual(["33.333333", "33.333334", "33.333333"]);
    expect((await extrasBalance(testDb(), workspaceId, now)).balance).toBe("0");
    await expectBooksHold(workspaceId);
  });

  it("one topup per checkout session and one grant per invoice, even in parallel", async () => {
    const { workspaceId } = await seedWorkspace({ plan: { grant: { units: "500", expiresDays: 35 } } });
    const session = `cs_${uid()}`;
    const topups = await settle(Array.from({ length: 10 }, () => topupExtras(testDb(), { workspaceId, pack: "compute_500", checkoutSessionId: session, amountCents: 2000, now })));
    expect(topups.ok.filter((r) => r.created)).toHaveLength(1);
    const grants = await settle(Array.from({ length: 10 }, () => grantExtras(testDb(), { workspaceId, invoiceId: "in_1", now })));
    expect(grants.ok.filter((r) => r?.created)).toHaveLength(1);
    const grantLot = await testDb().extrasLot.findFirstOrThrow({ where: { workspaceId, source: "grant" } });
    expect([grantLot.units.toFixed(), grantLot.expiresAt?.toISOString()]).toEqual(["500", new Date(now.getTime() + 35 * DAY).toISOString()]);
    expect(await extrasBalance(testDb(), workspaceId, now)).toEqual({ balance: "1000", usable: "1000" });
    const entries = await testDb().ledgerEntry.findMany({ where: { workspaceId }, orderBy: { seq: "asc" } });
    expect(entries.map((e) => [e.seq, e.kind, e.units.toFixed(), e.balanceAfter.toFixed(), e.causeType])).toEqual([
      [1, "topup", "500", "500", "checkout_session"],
      [2, "grant", "500", "1000", "invoice"],
    ]);
    // The same payment reported again by its payment intent does not credit twice either.
    const pi = `pi_${uid()}`;
    expect((await topupExtras(testDb(), { workspaceId, pack: "compute_500", checkoutSessionId: `cs_${uid()}`, paymentIntentId: pi, now })).created).toBe(true);
    expect((await topupExtras(testDb(), { workspaceId, pack: "compute_500", paymentIntentId: pi, now })).created).toBe(false);
    expect(await testDb().ledgerEntry.count({ where: { workspaceId } })).toBe(3);
    await expectBooksHold(workspaceId);
  });

  it("operator adjustments credit a lot of their own or take from the lots, once per key", async () => {
    const { workspaceId } = await seedWorkspace();
    await adjustExtras(testDb(), { workspaceId, units: "12.5", idempotencyKey: "op-1", memo: "goodwill", now });
    await adjustExtras(testDb(), { workspaceId, units: "12.5", idempotencyKey: "op-1", memo: "goodwill", now });
    await adjustExtras(testDb(), { workspaceId, units: "-2.25", idempotencyKey: "op-2", memo: "correction", now });
    await expect(adjustExtras(testDb(), { workspaceId, units: "-100", idempotencyKey: "op-3", memo: "too much", now })).rejects.toMatchObject({ code: "invalid_request" });
    expect((await extrasBalance(testDb(), workspaceId, now)).balance).toBe("10.25");
    expect(await testDb().ledgerEntry.count({ where: { workspaceId } })).toBe(2);
    await expectBooksHold(workspaceId);
  });
});

describe("auto top-up", () => {
  function fakePort() {
    const calls: Parameters<PaymentsPort["startAutoTopUp"]>[0][] = [];
    const port: PaymentsPort = {
      async startAutoTopUp(input) {
        calls.push(input);
        return { status: "processing", paymentIntentId: `pi_auto_${calls.length}_${uid()}` };
      },
    };
    return { calls, port };
  }

  it("starts one purchase when a debit leaves the balance under the threshold, per month slot, within the cap", async () => {
    const { workspaceId } = await spentWorkspace();
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 100, checkoutSessionId: `cs_${uid()}`, now });
    await configureAutoTopUp(testDb(), { workspaceId, enabled: true, threshold: 50, pack: "compute_500", monthlyCap: 2 });
    const { calls, port } = fakePort();
    const opts = { ...silent, payments: port, waitForSideEffects: true };
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 40, idempotencyKey: "above", now }, opts);
    expect(calls).toHaveLength(0);
    // 20 debits at once drop the balance under 50: one purchase starts.
    const run = uid();
    await settle(Array.from({ length: 20 }, (_, i) => recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: `${run}-${i}`, now }, opts)));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ workspaceId, idempotencyKey: `autotopup_${workspaceId}_2026-11#1` });
    // While it is in flight, further debits start nothing.
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "in-flight", now }, opts);
    expect(calls).toHaveLength(1);
    // It succeeds (the payment credits the pack by its payment intent); the next drop takes slot #2; the cap stops a third.
    const first = await testDb().autoTopUpAttempt.findFirstOrThrow({ where: { workspaceId } });
    await completeAutoTopUp(testDb(), { paymentIntentId: first.paymentIntentId!, status: "succeeded" });
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "second", now }, opts);
    expect(calls.map((c) => c.idempotencyKey.slice(-2))).toEqual(["#1", "#2"]);
    await testDb().autoTopUpAttempt.updateMany({ where: { workspaceId }, data: { status: "succeeded" } });
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "third", now }, opts);
    expect(calls).toHaveLength(2);
    expect(await testDb().autoTopUpAttempt.count({ where: { workspaceId } })).toBe(2);
    await expectBooksHold(workspaceId);
  });
});
