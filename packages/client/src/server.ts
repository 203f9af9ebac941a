// For the integrating product's server (a Next.js route handler or server action, or any Node server):
// check, run the action, record what it used. It fails closed: when Tally refuses, or cannot be asked,
// the action does not run.
import { newIdempotencyKey } from "./idempotency";
import { TallyApiError, type TallyClient, type UsageAnswer } from "./index";

export interface MeteredCall {
  feature: string;
  /** Units the action uses (a number or a decimal string); 1 when left out. */
  units?: number | string;
  /** The key the usage is recorded under (default: a new one per call); pass yours to make the whole call retryable. */
  idempotencyKey?: string;
  metadata?: Record<string, unknown>;
}

/** The action ran but its usage could not be recorded: record it later under `idempotencyKey` (it is safe to repeat). */
export class UsageNotRecordedError<T> extends Error {
  constructor(
    readonly result: T,
    readonly idempotencyKey: string,
    readonly cause: unknown,
  ) {
    super(`The action ran but its usage was not recorded (${cause instanceof Error ? cause.message : String(cause)}); record it again with idempotency key ${idempotencyKey}.`);
    this.name = "UsageNotRecordedError";
  }
}

/**
 * Asks Tally whether the units fit, runs `action` only if they do, then records them under one idempotency
 * key (retried on 429/503 by the client). A refusal throws TallyApiError quota_exhausted (402) and an
 * unreachable Tally throws too, before the action runs; a failed recording after it ran throws
 * UsageNotRecordedError carrying the result.
 */
export async function withUsage<T>(tally: TallyClient, call: MeteredCall, action: () => Promise<T>): Promise<{ result: T; usage: UsageAnswer }> {
  const units = call.units ?? 1;
  const check = await tally.check({ feature: call.feature, units });
  if (!check.allowed) {
    throw new TallyApiError(402, "quota_exhausted", `Not enough ${call.feature} left for ${units} units.`, { ...check });
  }
  const result = await action();
  const idempotencyKey = call.idempotencyKey ?? newIdempotencyKey();
  try {
    const usage = await tally.recordUsage({ feature: call.feature, units, idempotencyKey, ...(call.metadata ? { metadata: call.metadata } : {}) });
    return { result, usage };
  } catch (e) {
    throw new UsageNotRecordedError(result, idempotencyKey, e);
  }
}
