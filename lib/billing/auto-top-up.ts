import { Prisma, type PrismaClient } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { inTransaction, isTransaction, type Client } from "@/lib/db";
import { lockExtrasAccount } from "./extras-ledger";
import { parseUnits } from "./units";

/**
 * What billing needs from the payments side to buy a pack off-session. The payments code implements it
 * with Stripe (a PaymentIntent with off_session and confirm, passing `idempotencyKey` to Stripe) and
 * registers it at start-up; the resulting payment credits the pack through topupExtras (by payment intent).
 *
 * It answers "failed" only for a definite refusal (the card or the request was refused, nothing was
 * charged). Any other error it throws: the charge may have gone through, so the attempt stays in flight
 * and is resumed later with the same idempotency key.
 */
export interface PaymentsPort {
  startAutoTopUp(input: {
    workspaceId: string;
    packId: string;
    attemptId: string;
    /** Stable per workspace and month slot: a retried call must not buy twice. */
    idempotencyKey: string;
    /** Set when an earlier try of this attempt ended without a known outcome: find its payment before paying. */
    resume?: boolean;
    /** The payment an earlier try of this attempt made, when known. */
    paymentIntentId?: string | null;
  }): Promise<{ status: "succeeded" | "processing" | "failed"; paymentIntentId?: string | null; error?: string | null }>;
}

// Kept on globalThis: Next bundles instrumentation apart from route handlers, so a module-level
// variable set at start-up would not be seen by the handlers that record usage.
const holder = globalThis as unknown as { tallyPaymentsPort?: PaymentsPort };

/** Called once by the payments code at start-up. */
export function registerPaymentsPort(port: PaymentsPort | undefined): void {
  holder.tallyPaymentsPort = port;
}

/** Subscription states in which no purchase starts: the workspace is behind on what it owes. */
const UNPAID_STATUSES: readonly string[] = ["past_due", "degraded", "unpaid"];

/** An attempt still in flight this long after its last news (its instance died, or the outcome was not known) is resumed. */
export const RESUME_AFTER_MS = 10 * 60_000;

export type AttemptStatus = "started" | "succeeded" | "failed";

export type AutoTopUpResult =
  | { started: true; attemptId: string; slot: string; status: AttemptStatus }
  | {
      started: false;
      reason: "disabled" | "above_threshold" | "payment_overdue" | "no_crossing" | "in_flight" | "monthly_cap" | "no_payments_port" | "in_transaction";
    };

export const monthSlotPrefix = (now: Date) => `${now.toISOString().slice(0, 7)}#`;

const idempotencyKeyOf = (workspaceId: string, slot: string) => `autotopup_${workspaceId}_${slot}`;

/**
 * The one event that may start a purchase: a debit (usage paid from extras) written after the workspace's
 * latest attempt was decided, that left the balance under the threshold. A refund, an expiry or an
 * adjustment alone never starts one. SQL over "ExtrasAccount" a; the newest entries are looked at first.
 * A scalar subquery, not EXISTS: the planner turns EXISTS into a join over every debit of every account
 * (the sweep then grew with the whole ledger); this one walks each account's newest entries by (workspace, seq).
 */
const pendingCrossing = Prisma.sql`(
  SELECT e.seq FROM "LedgerEntry" e
  WHERE e."workspaceId" = a."workspaceId" AND e.kind = 'debit' AND e."balanceAfter" < a."autoTopUpThreshold"
    AND e.seq > GREATEST(a."autoTopUpSinceSeq", COALESCE((SELECT max(t."ledgerSeq") FROM "AutoTopUpAttempt" t WHERE t."workspaceId" = a."workspaceId"), 0))
  ORDER BY e.seq DESC LIMIT 1) IS NOT NULL`;

/** The sweep's next page: accounts after `cursor` under their threshold with a crossing not yet answered. */
export const dueAccounts = (cursor: string, limit: number) => Prisma.sql`
  SELECT a."workspaceId" FROM "ExtrasAccount" a
  WHERE a."autoTopUpEnabled" AND a."autoTopUpThreshold" IS NOT NULL AND a.balance < a."autoTopUpThreshold"
    AND a."workspaceId" > ${cursor} AND ${pendingCrossing}
  ORDER BY a."workspaceId" LIMIT ${limit}`;

interface Attempt {
  id: string;
  workspaceId: string;
  slot: string;
  packId: string;
  paymentIntentId: string | null;
}

/**
 * Decides, under the extras account's row lock (the ledger's lock, so no debit, topup or other decision
 * interleaves), whether a purchase starts, and if so writes its attempt row. Short: no Stripe call here.
 * A purchase starts when auto top-up is on, the balance is under the threshold, the subscription is not
 * behind on payment, a debit crossed since the last attempt and since the settings were saved, none is in flight, and the month's cap allows.
 */
async function decide(db: Client, workspaceId: string, now: Date): Promise<{ attempt: Attempt } | { reason: Exclude<AutoTopUpResult, { started: true }>["reason"] }> {
  return inTransaction(db, async (tx) => {
    const account = await lockExtrasAccount(tx, workspaceId);
    const threshold = account.autoTopUpThreshold;
    if (!account.autoTopUpEnabled || !account.autoTopUpPackId || threshold === null) return { reason: "disabled" as const };
    if (account.balance.gte(threshold)) return { reason: "above_threshold" as const };
    const sub = await tx.subscription.findUnique({ where: { workspaceId }, select: { status: true } });
    if (sub && UNPAID_STATUSES.includes(sub.status)) return { reason: "payment_overdue" as const };
    const [row] = await tx.$queryRaw<{ crossed: boolean }[]>`SELECT ${pendingCrossing} AS crossed FROM "ExtrasAccount" a WHERE a."workspaceId" = ${workspaceId}`;
    if (!row?.crossed) return { reason: "no_crossing" as const };
    const prefix = monthSlotPrefix(now);
    const attempts = await tx.autoTopUpAttempt.findMany({
      where: { workspaceId, OR: [{ status: "started" }, { slot: { startsWith: prefix } }] },
      select: { status: true, slot: true },
    });
    // An attempt in flight blocks the next however old it is: its charge may have gone through (the sweep resumes it).
    if (attempts.some((a) => a.status === "started")) return { reason: "in_flight" as const };
    const thisMonth = attempts.filter((a) => a.slot.startsWith(prefix)).length;
    if (thisMonth >= account.autoTopUpMonthlyCap) return { reason: "monthly_cap" as const };
    const attempt: Attempt = { id: crypto.randomUUID(), workspaceId, slot: `${prefix}${thisMonth + 1}`, packId: account.autoTopUpPackId, paymentIntentId: null };
    await tx.autoTopUpAttempt.create({
      data: { id: attempt.id, workspaceId, slot: attempt.slot, packId: attempt.packId, status: "started", ledgerSeq: account.lastSeq, createdAt: now, updatedAt: now },
    });
    return { attempt };
  });
}

/**
 * Asks the payments side to pay for a decided attempt (a first try or a resume, always with the attempt's
 * own idempotency key) and records the outcome. Runs outside any transaction and lock.
 */
async function pursue(db: Client, port: PaymentsPort, attempt: Attempt, resume: boolean, now: Date): Promise<AttemptStatus> {
  let r: Awaited<ReturnType<PaymentsPort["startAutoTopUp"]>>;
  try {
    r = await port.startAutoTopUp({
      workspaceId: attempt.workspaceId,
      packId: attempt.packId,
      attemptId: attempt.id,
      idempotencyKey: idempotencyKeyOf(attempt.workspaceId, attempt.slot),
      resume,
      paymentIntentId: attempt.paymentIntentId,
    });
  } catch (e) {
    // Not a refusal: the card may have been charged. The attempt stays in flight, blocking new ones, until a
    // resume with the same key learns the outcome. If even this write fails, it stays in flight all the same.
    const error = String((e as Error)?.message ?? e).slice(0, 1000);
    console.error(`[billing] auto top-up ${attempt.id}: outcome not known, will resume:`, error);
    await db.$executeRaw`UPDATE "AutoTopUpAttempt" SET error = ${error}, "updatedAt" = ${now} WHERE id = ${attempt.id} AND status = 'started'`;
    return "started";
  }
  const status: AttemptStatus = r.status === "processing" ? "started" : r.status;
  // A webhook may have closed the attempt meanwhile: never reopen it.
  await db.$executeRaw`
    UPDATE "AutoTopUpAttempt"
    SET status = CASE WHEN status = 'started' THEN ${status} ELSE status END,
        "paymentIntentId" = COALESCE(${r.paymentIntentId ?? null}, "paymentIntentId"), error = ${r.error ?? null}, "updatedAt" = ${now}
    WHERE id = ${attempt.id}`;
  return status;
}

/**
 * Starts one off-session purchase when the rule of `decide` allows it, then calls the payments port after
 * that decision has committed (never under a lock). Idempotent per workspace and month slot: the n-th
 * purchase of a month takes slot "YYYY-MM#n" (unique) and its idempotency key. Called after a debit
 * commits and by the sweep; inside a caller's transaction it does nothing (the sweep starts it later).
 */
export async function maybeAutoTopUp(
  db: Client,
  input: { workspaceId: string; now?: Date; port?: PaymentsPort },
): Promise<AutoTopUpResult> {
  const now = input.now ?? new Date();
  const port = input.port ?? holder.tallyPaymentsPort;
  if (isTransaction(db)) return { started: false, reason: "in_transaction" };
  if (!port) return { started: false, reason: "no_payments_port" };
  const decided = await decide(db, input.workspaceId, now);
  if ("reason" in decided) return { started: false, reason: decided.reason };
  const { attempt } = decided;
  return { started: true, attemptId: attempt.id, slot: attempt.slot, status: await pursue(db, port, attempt, false, now) };
}

/**
 * The reconcile sweep. Resumes attempts left in flight for RESUME_AFTER_MS (an instance died, or the outcome
 * was not known: the same idempotency key makes Stripe answer with the same payment, credited once), then
 * starts the purchases whose crossing debit started none (an instance without the payments port, a crash
 * after commit, a debit recorded inside a caller's transaction). Each claim and decision is taken under
 * its row's lock, so instances sweeping at once never pay twice.
 */
export async function sweepAutoTopUps(
  db: PrismaClient,
  opts: { port?: PaymentsPort; now?: Date; deadline?: number; limit?: number } = {},
): Promise<{ resumed: number; checked: number; started: number }> {
  const now = opts.now ?? new Date();
  const port = opts.port ?? holder.tallyPaymentsPort;
  const limit = opts.limit ?? 200;
  const out = { resumed: 0, checked: 0, started: 0 };
  if (!port) return out;
  const pastDeadline = () => opts.deadline !== undefined && Date.now() > opts.deadline;

  const staleBefore = new Date(now.getTime() - RESUME_AFTER_MS);
  // Claimed by moving updatedAt to now: another sweep skips them for the next RESUME_AFTER_MS.
  const stale = await db.$queryRaw<Attempt[]>`
    UPDATE "AutoTopUpAttempt" SET "updatedAt" = ${now}
    WHERE id IN (
      SELECT id FROM "AutoTopUpAttempt" WHERE status = 'started' AND "updatedAt" <= ${staleBefore}
      ORDER BY "updatedAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING id, "workspaceId", slot, "packId", "paymentIntentId"`;
  for (const attempt of stale) {
    if (pastDeadline()) break; // the rest were claimed: the next run after RESUME_AFTER_MS takes them
    await pursue(db, port, attempt, true, now);
    out.resumed++;
  }

  let cursor = "";
  while (!pastDeadline()) {
    const due = await db.$queryRaw<{ workspaceId: string }[]>(dueAccounts(cursor, limit));
    for (const { workspaceId } of due) {
      out.checked++;
      if ((await maybeAutoTopUp(db, { workspaceId, port, now })).started) out.started++;
    }
    if (due.length < limit) break;
    cursor = due[due.length - 1]!.workspaceId;
  }
  return out;
}

/** The payments side reports how an attempt ended (e.g. from payment_intent.succeeded / payment_failed). */
export async function completeAutoTopUp(
  db: Client,
  input: { attemptId?: string; paymentIntentId?: string; status: "succeeded" | "failed"; error?: string | null },
): Promise<void> {
  const where = input.attemptId ? { id: input.attemptId } : input.paymentIntentId ? { paymentIntentId: input.paymentIntentId } : null;
  if (!where) throw new AppError("invalid_request", "Name the attempt or its payment intent.");
  await db.autoTopUpAttempt.updateMany({ where, data: { status: input.status, error: input.error ?? null } });
}

/** Owner settings: auto top-up on or off, under which balance, which pack, at most how many a month. */
export async function configureAutoTopUp(
  db: Client,
  input: { workspaceId: string; enabled: boolean; threshold?: string | number | null; pack?: string | null; monthlyCap?: number },
): Promise<void> {
  let packId: string | null = null;
  if (input.pack) {
    const pack = await db.extrasPack.findFirst({ where: { OR: [{ id: input.pack }, { key: input.pack }], active: true } });
    if (!pack) throw new AppError("not_found", `Unknown extras pack "${input.pack}".`, { field: "pack" });
    packId = pack.id;
  }
  const threshold = input.threshold === undefined || input.threshold === null ? null : parseUnits(input.threshold, "threshold");
  const cap = input.monthlyCap ?? 0;
  if (!Number.isSafeInteger(cap) || cap < 0 || cap > 100) throw new AppError("invalid_request", "monthlyCap must be a whole number from 0 to 100.", { field: "monthlyCap" });
  if (input.enabled && (!packId || !threshold || cap < 1)) {
    throw new AppError("invalid_request", "Auto top-up needs a pack, a threshold and a monthly cap of at least 1.");
  }
  // A debit made before these settings (under another threshold, or with auto top-up off) never starts a purchase.
  const updated = await db.$executeRaw`
    UPDATE "ExtrasAccount"
    SET "autoTopUpEnabled" = ${input.enabled}, "autoTopUpThreshold" = ${threshold?.toFixed() ?? null}::numeric, "autoTopUpPackId" = ${packId},
        "autoTopUpMonthlyCap" = ${cap}, "autoTopUpSinceSeq" = "lastSeq", "updatedAt" = now()
    WHERE "workspaceId" = ${input.workspaceId}`;
  if (updated === 0) throw new AppError("not_found", "Workspace not found.", { workspaceId: input.workspaceId });
}
