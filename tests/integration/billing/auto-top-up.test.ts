import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  adjustExtras,
  clawbackRefund,
  configureAutoTopUp,
  expireLots,
  maybeAutoTopUp,
  recordUsage,
  registerPaymentsPort,
  sweepAutoTopUps,
  topupExtras,
  type PaymentsPort,
} from "@/lib/billing";
import { dueAccounts } from "@/lib/billing/auto-top-up";
import { Prisma, type PrismaClient } from "@/lib/generated/prisma/client";
import { closeTestDb, expectBooksHold, seedWorkspace, testDb, uid } from "./helpers";

beforeAll(() => registerPaymentsPort(undefined));
afterAll(closeTestDb);

const silent = { notifier: { async send() {} } };
const DAY = 86_400_000;
const now = new Date("2026-11-18T12:00:00.000Z");
const later = new Date(now.getTime() + 3600_000);

const balanceOf = async (workspaceId: string) => (await testDb().extrasAccount.findUniqueOrThrow({ where: { workspaceId } })).balance.toFixed();
const attemptsOf = (workspaceId: string) => testDb().autoTopUpAttempt.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" } });

/**
 * Pays like the Stripe port does when the card is charged at once: credits the pack by its payment
 * intent and answers "succeeded". Records each call, so a test can count purchases.
 */
function payingPort(workspaceId: string) {
  const calls: Parameters<PaymentsPort["startAutoTopUp"]>[0][] = [];
  const port: PaymentsPort = {
    async startAutoTopUp(input) {
      // A sweep goes over every workspace; only this test's one is counted.
      if (input.workspaceId === workspaceId) calls.push(input);
      const paymentIntentId = `pi_${input.attemptId}`;
      await topupExtras(testDb(), { workspaceId: input.workspaceId, pack: input.packId, paymentIntentId, now });
      return { status: "succeeded", paymentIntentId };
    },
  };
  return { calls, port };
}

/** Compute quota (10 a week) used up, 100 extras bought; each further unit is a debit of extras. */
async function workspaceWithExtras(status: "active" | "past_due" | "degraded" | "unpaid" = "active") {
  const seeded = await seedWorkspace({ compute: { limit: "10", overflow: "extras", period: "week" } });
  const { workspaceId } = seeded;
  await recordUsage(testDb(), { workspaceId, feature: "compute", units: 10, idempotencyKey: "quota", now }, silent);
  await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 100, checkoutSessionId: `cs_${uid()}`, now });
  if (status !== "active") await testDb().subscription.update({ where: { workspaceId }, data: { status } });
  return seeded;
}

const spend = (workspaceId: string, units: number, opts: { port?: PaymentsPort } = {}) =>
  recordUsage(testDb(), { workspaceId, feature: "compute", units, idempotencyKey: `spend-${uid()}`, now }, { ...silent, payments: opts.port, waitForSideEffects: true });

/**
 * A client whose statements after its first wait until `gate` opens (or 1.5 s pass): an instance that
 * stalls (a pause, a slow network) between two statements while another instance runs.
 */
function stallingAfterFirstStatement(gate: Promise<unknown>, onFirst: () => void): PrismaClient {
  let n = 0;
  let stall: Promise<unknown> | undefined;
  const client = testDb().$extends({
    query: {
      async $allOperations({ args, query }) {
        const index = n++;
        if (index > 0) await (stall ??= Promise.race([gate, new Promise((r) => setTimeout(r, 1500))]));
        const result = await query(args);
        if (index === 0) onFirst();
        return result;
      },
    },
  });
  return client as unknown as PrismaClient;
}

describe("auto top-up decisions", () => {
  it("two instances deciding on one crossing start one purchase, whatever the interleaving", async () => {
    const { workspaceId } = await workspaceWithExtras();
    await configureAutoTopUp(testDb(), { workspaceId, enabled: true, threshold: 50, pack: "compute_500", monthlyCap: 2 });
    await spend(workspaceId, 60); // balance 40: this debit crossed the threshold; no payments port here, so nothing started
    const { calls, port } = payingPort(workspaceId);

    // B reads first, then stalls; A decides, buys and is credited in the meantime; then B goes on.
    let aDone!: () => void;
    const aFinished = new Promise<void>((r) => (aDone = r));
    let bStarted!: () => void;
    const bFirstRead = new Promise<void>((r) => (bStarted = r));
    const b = maybeAutoTopUp(stallingAfterFirstStatement(aFinished, bStarted), { workspaceId, port, now });
    await bFirstRead;
    const a = await maybeAutoTopUp(testDb(), { workspaceId, port, now }).finally(aDone);
    const results = [a, await b];

    expect(calls).toHaveLength(1);
    expect(results.filter((r) => r.started)).toHaveLength(1);
    expect(await attemptsOf(workspaceId)).toHaveLength(1);
    expect(await balanceOf(workspaceId)).toBe("540");
    await expectBooksHold(workspaceId);
  });

  it("two sweeps and an after-commit start at once start one purchase", async () => {
    const { workspaceId } = await workspaceWithExtras();
    await configureAutoTopUp(testDb(), { workspaceId, enabled: true, threshold: 50, pack: "compute_500", monthlyCap: 3 });
    await spend(workspaceId, 60); // no payments port: the start after commit is lost
    expect(await attemptsOf(workspaceId)).toHaveLength(0);
    const { calls, port } = payingPort(workspaceId);
    await Promise.all([
      sweepAutoTopUps(testDb(), { port, now }),
      sweepAutoTopUps(testDb(), { port, now }),
      maybeAutoTopUp(testDb(), { workspaceId, port, now }),
    ]);
    expect(calls).toHaveLength(1);
    expect(await balanceOf(workspaceId)).toBe("540");
  });

  it.each(["past_due", "degraded", "unpaid"] as const)("never starts while the subscription is %s", async (status) => {
    const { workspaceId } = await workspaceWithExtras(status);
    await configureAutoTopUp(testDb(), { workspaceId, enabled: true, threshold: 50, pack: "compute_500", monthlyCap: 3 });
    const { calls, port } = payingPort(workspaceId);
    await spend(workspaceId, 60, { port });
    expect(await maybeAutoTopUp(testDb(), { workspaceId, port, now })).toEqual({ started: false, reason: "payment_overdue" });
    await sweepAutoTopUps(testDb(), { port, now: later });
    expect(calls).toHaveLength(0);
    expect(await attemptsOf(workspaceId)).toHaveLength(0);
    // Paying again: the debit that crossed is still unanswered, so the next sweep buys once.
    await testDb().subscription.update({ where: { workspaceId }, data: { status: "active" } });
    await sweepAutoTopUps(testDb(), { port, now: later });
    await sweepAutoTopUps(testDb(), { port, now: later });
    expect(calls).toHaveLength(1);
  });

  // Each leaves the balance above the threshold after its last debit, then pushes it under without a debit.
  const pushers = {
    refund: {
      threshold: 50,
      async push(workspaceId: string) {
        const pi = `pi_refunded_${uid()}`;
        await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 80, paymentIntentId: pi, amountCents: 2000, now });
        await spend(workspaceId, 80); // balance 100
        await clawbackRefund(testDb(), { paymentIntentId: pi, refundId: `re_${uid()}`, amountCents: 2000, now }); // balance 20
      },
    },
    expiry: {
      threshold: 120,
      async push(workspaceId: string) {
        await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 80, checkoutSessionId: `cs_${uid()}`, expiresAt: new Date(now.getTime() + DAY), now });
        await spend(workspaceId, 20); // balance 160, taken from the lot that expires first
        await expireLots(testDb(), { workspaceId, now: new Date(now.getTime() + 2 * DAY) }); // balance 100
      },
    },
    adjustment: {
      threshold: 50,
      async push(workspaceId: string) {
        await spend(workspaceId, 20); // balance 80
        await adjustExtras(testDb(), { workspaceId, units: "-60", idempotencyKey: `op-${uid()}`, memo: "correction", now }); // balance 20
      },
    },
  };

  it.each(Object.keys(pushers) as (keyof typeof pushers)[])("a balance pushed under the threshold by %s alone buys nothing, even from the sweep", async (kind) => {
    const { workspaceId } = await workspaceWithExtras();
    const { threshold, push } = pushers[kind];
    await configureAutoTopUp(testDb(), { workspaceId, enabled: true, threshold, pack: "compute_500", monthlyCap: 3 });
    const { calls, port } = payingPort(workspaceId);
    await push(workspaceId);
    expect(Number(await balanceOf(workspaceId))).toBeLessThan(threshold);
    expect(await maybeAutoTopUp(testDb(), { workspaceId, port, now: later })).toEqual({ started: false, reason: "no_crossing" });
    await sweepAutoTopUps(testDb(), { port, now: later });
    expect(calls).toHaveLength(0);
    expect(await attemptsOf(workspaceId)).toHaveLength(0);
  });

  it("a debit made before auto top-up was switched on never buys, even after a refund pushes the balance under", async () => {
    const { workspaceId } = await workspaceWithExtras();
    const pi = `pi_before_${uid()}`;
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 100, paymentIntentId: pi, amountCents: 2000, now });
    await spend(workspaceId, 160); // balance 40: under the threshold to come, while auto top-up is off
    await configureAutoTopUp(testDb(), { workspaceId, enabled: true, threshold: 50, pack: "compute_500", monthlyCap: 3 });
    const { calls, port } = payingPort(workspaceId);
    expect(await maybeAutoTopUp(testDb(), { workspaceId, port, now: later })).toEqual({ started: false, reason: "no_crossing" });
    await sweepAutoTopUps(testDb(), { port, now: later });
    expect(calls).toHaveLength(0);
    await spend(workspaceId, 1, { port });
    expect(calls).toHaveLength(1);
  });

  it("a debit that crossed and whose start was lost is bought by the sweep, once", async () => {
    const { workspaceId } = await workspaceWithExtras();
    await configureAutoTopUp(testDb(), { workspaceId, enabled: true, threshold: 50, pack: "compute_500", monthlyCap: 3 });
    await spend(workspaceId, 60); // no payments port on this instance: nothing starts after commit
    expect(await attemptsOf(workspaceId)).toHaveLength(0);
    const { calls, port } = payingPort(workspaceId);
    // The sweep goes over the whole database: `calls` counts this workspace's purchases only.
    await sweepAutoTopUps(testDb(), { port, now: later });
    expect(calls).toHaveLength(1);
    await sweepAutoTopUps(testDb(), { port, now: later });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ workspaceId, idempotencyKey: `autotopup_${workspaceId}_2026-11#1` });
    expect(await balanceOf(workspaceId)).toBe("540");
    // A refund then pushes it under again: still nothing, until a debit crosses.
    await clawbackRefund(testDb(), { paymentIntentId: `pi_${calls[0]!.attemptId}`, refundId: `re_${uid()}`, amountCents: 2000, now });
    expect(await balanceOf(workspaceId)).toBe("40");
    await sweepAutoTopUps(testDb(), { port, now: later });
    expect(calls).toHaveLength(1);
    await spend(workspaceId, 1, { port });
    expect(calls).toHaveLength(2);
    await expectBooksHold(workspaceId);
  });

  it("the sweep's search reads each account's newest entries, not every debit in the ledger", async () => {
    // 2,000 accounts under their threshold with 40 debits each, in a transaction rolled back at the end.
    const plan = await testDb()
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL session_replication_role = replica`); // synthetic rows: no workspaces behind them
        await tx.$executeRawUnsafe(`
          INSERT INTO "ExtrasAccount" ("workspaceId", balance, "lastSeq", "autoTopUpEnabled", "autoTopUpThreshold", "autoTopUpPackId", "autoTopUpMonthlyCap", "updatedAt")
          SELECT 'sweep-' || g, 5, 40, true, 10, 'compute_500', 3, now() FROM generate_series(1, 2000) g`);
        await tx.$executeRawUnsafe(`
          INSERT INTO "LedgerEntry" (id, "workspaceId", seq, "lotId", kind, units, "balanceAfter", "causeType", "causeId")
          SELECT 'sweep-' || g || '-' || s, 'sweep-' || g, s, 'lot', 'debit', -1, 45 - s, 'usage_event', 'ev-' || s
          FROM generate_series(1, 2000) g, generate_series(1, 40) s`);
        await tx.$executeRawUnsafe(`ANALYZE "ExtrasAccount", "LedgerEntry"`);
        const [row] = await tx.$queryRaw<{ "QUERY PLAN": unknown }[]>(Prisma.sql`EXPLAIN (FORMAT JSON) ${dueAccounts("", 200)}`);
        throw new Rollback(row!["QUERY PLAN"]);
      })
      .catch((e: unknown) => (e instanceof Rollback ? e.value : Promise.reject(e)));
    const text = JSON.stringify(typeof plan === "string" ? JSON.parse(plan) : plan);
    expect(text).toContain('"Index Name":"LedgerEntry_workspaceId_seq_key"');
    expect(text).not.toMatch(/"Node Type":"Seq Scan","[^}]*"Relation Name":"LedgerEntry"/);
    expect(text).not.toContain('"Join Type":"Semi"');
  });
});

class Rollback {
  constructor(readonly value: unknown) {}
}
