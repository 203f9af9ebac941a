import { AppError, isAppError } from "@/lib/errors";
import { checkUsage } from "./check-usage";
import type { Client } from "@/lib/db";
import { recordUsage, type MeteringOptions } from "./record-usage";
import { refusal } from "./usage-state";
import { toDec } from "./units";
import type { UsageAnswer } from "./usage-state";

export interface MeteredActionInput {
  workspaceId: string;
  feature: string;
  units: number | string;
  idempotencyKey: string;
  metadata?: Record<string, unknown>;
}

/**
 * For features inside the app: check, run `action`, record on success. Fails closed: when billing state
 * cannot be read the action does not run (billing_unavailable). If the action throws, nothing is recorded.
 * Between the check and the record another request may spend the quota; the record then refuses and this
 * throws quota_exhausted after the action ran, so callers must not hand out the result in that case.
 */
export async function meteredAction<T>(
  db: Client,
  input: MeteredActionInput,
  action: () => Promise<T>,
  opts: MeteringOptions = {},
): Promise<{ result: T; usage: UsageAnswer }> {
  let check: UsageAnswer;
  try {
    check = await checkUsage(db, { workspaceId: input.workspaceId, feature: input.feature, units: input.units });
  } catch (e) {
    if (isAppError(e)) throw e;
    throw new AppError("billing_unavailable", "Billing is unavailable right now, so this action was not run.", { cause: String(e) });
  }
  if (!check.allowed) {
    const remaining = check.remaining === null ? null : toDec(check.remaining);
    throw refusal(input.feature, toDec(check.units), remaining, toDec(check.extrasRemaining), check.resetsAt ? new Date(check.resetsAt) : null);
  }
  const result = await action();
  try {
    const usage = await recordUsage(db, input, opts);
    return { result, usage };
  } catch (e) {
    if (isAppError(e)) throw e;
    throw new AppError("billing_unavailable", "The action ran but its usage could not be recorded.", { cause: String(e) });
  }
}
