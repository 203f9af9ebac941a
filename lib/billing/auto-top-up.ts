import { AppError } from "@/lib/errors";
import type { Client } from "./client";
import { parseUnits, toDec } from "./units";

/**
 * What billing needs from the payments side to buy a pack off-session. The payments code implements it
 * with Stripe (a PaymentIntent with off_session and confirm, passing `idempotencyKey` to Stripe) and
 * registers it at start-up; the resulting payment credits the pack through topupExtras (by payment intent).
 */
export interface PaymentsPort {
  startAutoTopUp(input: {
    workspaceId: string;
    packId: string;
    attemptId: string;
    /** Stable per workspace and month slot: a retried call must not buy twice. */
    idempotencyKey: string;
  }): Promise<{ status: "succeeded" | "processing" | "failed"; paymentIntentId?: string | null; error?: string | null }>;
}

// Kept on globalThis: Next bundles instrumentation apart from route handlers, so a module-level
// variable set at start-up would not be seen by the handlers that record usage.
const holder = globalThis as unknown as { tallyPaymentsPort?: PaymentsPort };

/** Called once by the payments code at start-up. */
export function registerPaymentsPort(port: PaymentsPort | undefined): void {
  holder.tallyPaymentsPort = port;
}

/** An attempt still "started" after this long (a crashed instance) no longer blocks the next one. */
const IN_FLIGHT_MS = 60 * 60_000;

export type AutoTopUpResult =
  | { started: true; attemptId: string; slot: string; status: string }
  | { started: false; reason: "disabled" | "above_threshold" | "in_flight" | "monthly_cap" | "concurrent" | "no_payments_port" };

export const monthSlotPrefix = (now: Date) => `${now.toISOString().slice(0, 7)}#`;

/**
 * Starts one off-session purchase when auto top-up is on and the balance is under its threshold.
 * Idempotent per workspace and month slot: the n-th purchase of a month takes slot "YYYY-MM#n" (unique),
 * n never exceeds the monthly cap, and no new purchase starts while one is in flight.
 */
export async function maybeAutoTopUp(
  db: Client,
  input: { workspaceId: string; now?: Date; port?: PaymentsPort },
): Promise<AutoTopUpResult> {
  const now = input.now ?? new Date();
  const port = input.port ?? holder.tallyPaymentsPort;
  const account = await db.extrasAccount.findUnique({ where: { workspaceId: input.workspaceId } });
  if (!account?.autoTopUpEnabled || !account.autoTopUpPackId || account.autoTopUpThreshold === null) return { started: false, reason: "disabled" };
  if (toDec(account.balance).gte(toDec(account.autoTopUpThreshold))) return { started: false, reason: "above_threshold" };
  if (!port) return { started: false, reason: "no_payments_port" };

  const prefix = monthSlotPrefix(now);
  const attempts = await db.autoTopUpAttempt.findMany({
    where: { workspaceId: input.workspaceId, slot: { startsWith: prefix } },
    select: { status: true, createdAt: true },
  });
  if (attempts.some((a) => a.status === "started" && now.getTime() - a.createdAt.getTime() < IN_FLIGHT_MS)) {
    return { started: false, reason: "in_flight" };
  }
  if (attempts.length >= account.autoTopUpMonthlyCap) return { started: false, reason: "monthly_cap" };

  const slot = `${prefix}${attempts.length + 1}`;
  const attemptId = crypto.randomUUID();
  const inserted = await db.$executeRaw`
    INSERT INTO "AutoTopUpAttempt" (id, "workspaceId", slot, "packId", status, "createdAt", "updatedAt")
    VALUES (${attemptId}, ${input.workspaceId}, ${slot}, ${account.autoTopUpPackId}, 'started', ${now}, ${now})
    ON CONFLICT ("workspaceId", slot) DO NOTHING`;
  if (inserted === 0) return { started: false, reason: "concurrent" };

  try {
    const r = await port.startAutoTopUp({
      workspaceId: input.workspaceId,
      packId: account.autoTopUpPackId,
      attemptId,
      idempotencyKey: `autotopup_${input.workspaceId}_${slot}`,
    });
    const status = r.status === "processing" ? "started" : r.status;
    await db.autoTopUpAttempt.update({ where: { id: attemptId }, data: { status, paymentIntentId: r.paymentIntentId ?? null, error: r.error ?? null } });
    return { started: true, attemptId, slot, status };
  } catch (e) {
    await db.autoTopUpAttempt.update({ where: { id: attemptId }, data: { status: "failed", error: String((e as Error)?.message ?? e).slice(0, 1000) } });
    return { started: true, attemptId, slot, status: "failed" };
  }
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
  await db.extrasAccount.update({
    where: { workspaceId: input.workspaceId },
    data: { autoTopUpEnabled: input.enabled, autoTopUpThreshold: threshold?.toFixed() ?? null, autoTopUpPackId: packId, autoTopUpMonthlyCap: cap },
  });
}
