import { afterAll, describe, expect, it } from "vitest";
import { adjustExtras, applyRefundStatus, clawbackRefund, expireLots, extrasBalance, giveBackRefund, grantExtras, recordUsage, topupExtras } from "@/lib/billing";
import { ledgerPage } from "@/lib/billing-views/ledger";
import { closeTestDb, expectBooksHold, seedWorkspace, testDb, uid } from "./helpers";

afterAll(closeTestDb);

// Debt netting at the lot level: a refund's debt is paid once, from the lots that can spend now and then by
// the next credits, and a refund that fails gives its units back once.

const silent = { notifier: { async send() {} } };
const DAY = 86_400_000;
const now = new Date("2026-11-18T12:00:00.000Z");
const at = (days: number) => new Date(now.getTime() + days * DAY);

/** A workspace whose compute quota (10 a week) is used up, so every further unit comes from extras. */
async function spentWorkspace() {
  const seeded = await seedWorkspace({ compute: { limit: "10", overflow: "extras", period: "week" } });
  await recordUsage(testDb(), { workspaceId: seeded.workspaceId, feature: "compute", units: 10, idempotencyKey: "quota", now }, silent);
  return seeded;
}

const spend = (workspaceId: string, units: number, key: string) => recordUsage(testDb(), { workspaceId, feature: "compute", units, idempotencyKey: key, now }, silent);

/** A bought pack with a payment, so it can be refunded. */
async function paidPack(workspaceId: string, units: number, amountCents: number, expiresAt: Date | null) {
  const paymentIntentId = `pi_${uid()}`;
  const lot = await topupExtras(testDb(), { workspaceId, pack: "compute_500", units, checkoutSessionId: `cs_${uid()}`, paymentIntentId, amountCents, expiresAt, now });
  return { ...lot, paymentIntentId };
}

const remainders = async (workspaceId: string) =>
  Object.fromEntries((await testDb().extrasLot.findMany({ where: { workspaceId } })).map((l) => [l.id, l.remaining.toFixed()]));

/** Debt netting's promise: never a lot in debt while another lot could still spend. */
async function expectNetted(workspaceId: string, when: Date) {
  const lots = await testDb().extrasLot.findMany({ where: { workspaceId } });
  const indebted = lots.filter((l) => l.remaining.isNegative());
  const spendable = lots.filter((l) => l.remaining.gt(0) && !l.expiredAt && (!l.expiresAt || l.expiresAt > when));
  expect(indebted.length && spendable.length ? { indebted: indebted.map((l) => l.id), spendable: spendable.map((l) => l.id) } : null).toBeNull();
}

const entriesOf = async (workspaceId: string, where: { kind?: "settlement" | "refund"; causeId?: string } = {}) =>
  (await testDb().ledgerEntry.findMany({ where: { workspaceId, ...where }, orderBy: { seq: "asc" } })).map((e) => [e.kind, e.lotId, e.units.toFixed(), e.causeType, e.causeId]);

describe("debt netting", () => {
  it("a fully refunded, spent pack's debt is paid once by the next pack: after that pack expires the balance is 0, and a later pack is whole", async () => {
    const { workspaceId } = await spentWorkspace();
    const b = await paidPack(workspaceId, 50, 1000, at(30));
    await spend(workspaceId, 50, "spend-b");
    await clawbackRefund(testDb(), { paymentIntentId: b.paymentIntentId, refundId: `re_${uid()}`, amountCents: 1000, now });
    expect(await extrasBalance(testDb(), workspaceId, now)).toEqual({ balance: "-50", usable: "0" });

    const csA = `cs_${uid()}`;
    const a = await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 100, checkoutSessionId: csA, expiresAt: at(1), now });
    // A pays B's debt before any of its units can be spent: one settlement pair under A's checkout session.
    expect(await entriesOf(workspaceId, { kind: "settlement" })).toEqual([
      ["settlement", a.lotId, "-50", "checkout_session", csA],
      ["settlement", b.lotId, "50", "checkout_session", csA],
    ]);
    expect(await extrasBalance(testDb(), workspaceId, now)).toEqual({ balance: "50", usable: "50" });
    await spend(workspaceId, 50, "spend-a");
    expect(await remainders(workspaceId)).toEqual({ [b.lotId]: "0", [a.lotId]: "0" });

    const later = at(2);
    await expireLots(testDb(), { now: later, workspaceId });
    expect(await extrasBalance(testDb(), workspaceId, later)).toEqual({ balance: "0", usable: "0" });
    expect(await testDb().ledgerEntry.count({ where: { workspaceId, kind: "expiration" } })).toBe(0);

    const c = await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 100, checkoutSessionId: `cs_${uid()}`, expiresAt: null, now: later });
    expect(c.entries.map((e) => e.kind)).toEqual(["topup"]);
    expect(await extrasBalance(testDb(), workspaceId, later)).toEqual({ balance: "100", usable: "100" });
    // The ledger's kind filter knows settlements.
    const page = await ledgerPage(testDb(), { workspaceId, kinds: ["settlement"] });
    expect(page.entries.map((e) => e.units)).toEqual(["50", "-50"]);
    await expectNetted(workspaceId, now);
    await expectBooksHold(workspaceId);
  });

  it("a debt larger than the next pack takes all of it, and the rest is paid by the grant and the credit adjustment after it", async () => {
    const { workspaceId } = await spentWorkspace();
    const b = await paidPack(workspaceId, 100, 2000, at(30));
    await spend(workspaceId, 100, "spend-b");
    await clawbackRefund(testDb(), { paymentIntentId: b.paymentIntentId, refundId: `re_${uid()}`, amountCents: 2000, now });

    const c = await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 30, checkoutSessionId: `cs_${uid()}`, now });
    expect(c.entries.map((e) => [e.kind, e.lotId, e.units, e.balanceAfter])).toEqual([
      ["topup", c.lotId, "30", "-70"],
      ["settlement", c.lotId, "-30", "-100"],
      ["settlement", b.lotId, "30", "-70"],
    ]);
    expect(await remainders(workspaceId)).toEqual({ [b.lotId]: "-70", [c.lotId]: "0" });
    expect(await extrasBalance(testDb(), workspaceId, now)).toEqual({ balance: "-70", usable: "0" });
    await expect(spend(workspaceId, 1, "refused")).rejects.toMatchObject({ code: "quota_exhausted" });

    const grant = await grantExtras(testDb(), { workspaceId, invoiceId: `in_${uid()}`, units: 50, expiresAt: null, now });
    const key = `adj_${uid()}`;
    await adjustExtras(testDb(), { workspaceId, units: "40", idempotencyKey: key, memo: "goodwill", now });
    const adj = await testDb().extrasLot.findFirstOrThrow({ where: { workspaceId, source: "adjustment" } });
    expect(await remainders(workspaceId)).toEqual({ [b.lotId]: "0", [c.lotId]: "0", [grant!.lotId]: "0", [adj.id]: "20" });
    expect(await entriesOf(workspaceId, { kind: "settlement", causeId: key })).toEqual([
      ["settlement", adj.id, "-20", "operator", key],
      ["settlement", b.lotId, "20", "operator", key],
    ]);
    expect(await extrasBalance(testDb(), workspaceId, now)).toEqual({ balance: "20", usable: "20" });
    await spend(workspaceId, 20, "spend-adj");
    await expectNetted(workspaceId, now);
    await expectBooksHold(workspaceId);
  });

  it("a clawback settles its debt at once from the other spendable lots, soonest-expiring first, so their expiry takes nothing twice", async () => {
    const { workspaceId } = await spentWorkspace();
    const b = await paidPack(workspaceId, 50, 1000, at(3));
    const a1 = await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 20, checkoutSessionId: `cs_${uid()}`, expiresAt: at(5), now });
    const a2 = await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 100, checkoutSessionId: `cs_${uid()}`, expiresAt: at(10), now });
    const never = await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 10, checkoutSessionId: `cs_${uid()}`, expiresAt: null, now });
    await spend(workspaceId, 50, "spend-b");
    const re = `re_${uid()}`;
    const r = await clawbackRefund(testDb(), { paymentIntentId: b.paymentIntentId, refundId: re, amountCents: 1000, now });
    expect([r.clawedUnits, r.balance]).toEqual(["50", "80"]);
    expect(await entriesOf(workspaceId, { causeId: re })).toEqual([
      ["refund", b.lotId, "-50", "refund", re],
      ["settlement", a1.lotId, "-20", "refund", re],
      ["settlement", a2.lotId, "-30", "refund", re],
      ["settlement", b.lotId, "50", "refund", re],
    ]);
    expect(await remainders(workspaceId)).toEqual({ [b.lotId]: "0", [a1.lotId]: "0", [a2.lotId]: "70", [never.lotId]: "10" });
    await expireLots(testDb(), { now: at(11), workspaceId });
    expect(await extrasBalance(testDb(), workspaceId, at(11))).toEqual({ balance: "10", usable: "10" });
    await expectNetted(workspaceId, now);
    await expectBooksHold(workspaceId);
  });

  it("refunds and packs racing each other leave no lot in debt beside one that can spend", async () => {
    const { workspaceId } = await spentWorkspace();
    const packs = await Promise.all([40, 40, 40].map((units) => paidPack(workspaceId, units, 1000, at(30))));
    await spend(workspaceId, 120, "spend-all");
    await Promise.all([
      ...packs.map((p) => clawbackRefund(testDb(), { paymentIntentId: p.paymentIntentId, refundId: `re_${uid()}`, amountCents: 1000, now })),
      ...[30, 30, 30, 30].map((units) => topupExtras(testDb(), { workspaceId, pack: "compute_500", units, checkoutSessionId: `cs_${uid()}`, expiresAt: at(10), now })),
    ]);
    // 120 bought and spent, all refunded: 120 of debt, paid by the 120 of the four new packs.
    expect(await extrasBalance(testDb(), workspaceId, now)).toEqual({ balance: "0", usable: "0" });
    expect(Object.values(await remainders(workspaceId)).every((r) => r === "0")).toBe(true);
    await expectNetted(workspaceId, now);
    await expectBooksHold(workspaceId);
  });
});

describe("refunds that fail", () => {
  it("give their units back once, the cents no longer count as refunded, and the refund is never clawed back again", async () => {
    const { workspaceId } = await spentWorkspace();
    const b = await paidPack(workspaceId, 50, 1000, at(3));
    const a = await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 100, checkoutSessionId: `cs_${uid()}`, expiresAt: at(10), now });
    await spend(workspaceId, 50, "spend-b");
    const re = `re_${uid()}`;
    await clawbackRefund(testDb(), { paymentIntentId: b.paymentIntentId, refundId: re, amountCents: 1000, now });
    expect(await remainders(workspaceId)).toEqual({ [b.lotId]: "0", [a.lotId]: "50" });

    const back = await giveBackRefund(testDb(), { paymentIntentId: b.paymentIntentId, refundId: re, amountCents: 1000, now });
    expect([back.created, back.units, back.balance]).toEqual([true, "50", "100"]);
    expect(await remainders(workspaceId)).toEqual({ [b.lotId]: "50", [a.lotId]: "50" });
    expect((await testDb().extrasLot.findUniqueOrThrow({ where: { id: b.lotId } })).refundedCents).toBe(0);
    expect((await giveBackRefund(testDb(), { paymentIntentId: b.paymentIntentId, refundId: re, amountCents: 1000, now })).created).toBe(false);
    expect((await clawbackRefund(testDb(), { paymentIntentId: b.paymentIntentId, refundId: re, amountCents: 1000, now })).created).toBe(false);
    expect(await entriesOf(workspaceId, { kind: "refund" })).toEqual([
      ["refund", b.lotId, "-50", "refund", re],
      ["refund", b.lotId, "50", "failed_refund", re],
    ]);
    expect(await extrasBalance(testDb(), workspaceId, now)).toEqual({ balance: "100", usable: "100" });
    await expectNetted(workspaceId, now);
    await expectBooksHold(workspaceId);
  });

  it("given back to a pack that expired meanwhile, they only clear its debt: what would have expired stays expired", async () => {
    const { workspaceId } = await spentWorkspace();
    const e = await paidPack(workspaceId, 100, 2000, at(1));
    await spend(workspaceId, 80, "spend-e");
    const re = `re_${uid()}`;
    await clawbackRefund(testDb(), { paymentIntentId: e.paymentIntentId, refundId: re, amountCents: 2000, now });
    expect(await extrasBalance(testDb(), workspaceId, now)).toEqual({ balance: "-80", usable: "0" });
    await expireLots(testDb(), { now: at(2), workspaceId });
    // Debt is not forgiven by expiry.
    expect(await remainders(workspaceId)).toEqual({ [e.lotId]: "-80" });

    const back = await giveBackRefund(testDb(), { paymentIntentId: e.paymentIntentId, refundId: re, amountCents: 2000, now: at(2) });
    expect([back.units, back.balance]).toEqual(["80", "0"]);
    expect(await remainders(workspaceId)).toEqual({ [e.lotId]: "0" });
    expect((await testDb().extrasLot.findUniqueOrThrow({ where: { id: e.lotId } })).refundedCents).toBe(0);
    const later = await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 10, checkoutSessionId: `cs_${uid()}`, now: at(2) });
    expect(later.entries.map((x) => x.kind)).toEqual(["topup"]);
    expect(await extrasBalance(testDb(), workspaceId, at(2))).toEqual({ balance: "10", usable: "10" });
    await expectNetted(workspaceId, now);
    await expectBooksHold(workspaceId);
  });

  it("claw back only while paying out (pending, requires_action, succeeded); one seen failed or canceled first is recorded and never clawed", async () => {
    const { workspaceId } = await spentWorkspace();
    const p = await paidPack(workspaceId, 400, 4000, at(30));
    const apply = (refundId: string, status: string | null) => applyRefundStatus(testDb(), { paymentIntentId: p.paymentIntentId, refundId, amountCents: 1000, status, now });
    expect(await apply("re_failed", "failed")).toMatchObject({ effect: "give_back", created: true, units: "0" });
    expect(await apply("re_failed", "succeeded")).toMatchObject({ effect: "clawback", created: false });
    expect(await apply("re_canceled", "canceled")).toMatchObject({ effect: "give_back", created: true, units: "0" });
    expect(await apply("re_canceled", "pending")).toMatchObject({ effect: "clawback", created: false });
    expect(await apply("re_odd", null)).toMatchObject({ effect: "none", created: false });
    expect(await extrasBalance(testDb(), workspaceId, now)).toEqual({ balance: "400", usable: "400" });
    expect(await apply("re_action", "requires_action")).toMatchObject({ effect: "clawback", created: true, units: "100" });
    expect(await apply("re_pending", "pending")).toMatchObject({ effect: "clawback", created: true, units: "100" });
    expect(await apply("re_pending", "succeeded")).toMatchObject({ created: false });
    expect((await testDb().extrasLot.findUniqueOrThrow({ where: { id: p.lotId } })).refundedCents).toBe(2000);
    expect(await extrasBalance(testDb(), workspaceId, now)).toEqual({ balance: "200", usable: "200" });
    await expectNetted(workspaceId, now);
    await expectBooksHold(workspaceId);
  });
});
