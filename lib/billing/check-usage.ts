import { z } from "zod";
import { AppError } from "@/lib/errors";
import type { Client } from "./client";
import { costsSchema, type CostsInput } from "./costs";
import { windowBounds } from "./periods";
import { unitsFromCosts } from "./record-usage";
import { ZERO, formatUnits, parseUnits, toDec, type Dec } from "./units";
import { readUsageState, remainingOf, resetsAtOf, usableOf, type UsageAnswer } from "./usage-state";
import { featureSchema, workspaceIdSchema, zodError } from "./validation";

const checkSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    feature: featureSchema,
    // Checked by parseUnits, which names the problem (NaN, Infinity, too many decimals) precisely.
    units: z.unknown().optional(),
    costs: costsSchema.optional(),
    now: z.date().optional(),
  })
  .strict();

export interface CheckUsageInput {
  workspaceId: string;
  feature: string;
  /** Default 1. */
  units?: number | string;
  costs?: CostsInput;
  now?: Date;
}

/**
 * Would recording `units` (default 1) be accepted now? The same answer as recordUsage, nothing written;
 * `remaining` is what is left before these units. A later recordUsage can still be refused: only it decides.
 */
export async function checkUsage(db: Client, input: CheckUsageInput): Promise<UsageAnswer> {
  const r = checkSchema.safeParse(input);
  if (!r.success) throw zodError(r.error);
  const { workspaceId, feature } = r.data;
  const now = r.data.now ?? new Date();
  if (r.data.units !== undefined && r.data.costs !== undefined) {
    throw new AppError("invalid_request", "Send at most one of units or costs.", { field: "units" });
  }
  const units: Dec = r.data.costs ? await unitsFromCosts(db, workspaceId, r.data.costs) : parseUnits(r.data.units ?? 1);
  const state = await readUsageState(db, workspaceId, feature, now);
  let quota: Dec | null;
  let used: Dec;
  let overflow: string;
  let periodEnd: Date;
  if (state.window) {
    ({ quota, used, overflow, periodEnd } = state.window);
  } else {
    // No window yet: what the next one would be, from the plan, without opening it.
    const sub = await db.subscription.findUnique({ where: { workspaceId }, include: { plan: { include: { entitlements: true } } } });
    if (!sub) throw new AppError("not_found", "Workspace not found.", { workspaceId });
    const ent = sub.plan.entitlements.find((e) => e.feature === feature);
    if (!ent) throw new AppError("invalid_request", `Unknown feature "${feature}" for this workspace's plan.`, { field: "feature", feature });
    quota = ent.limit === null ? null : toDec(ent.limit);
    used = ZERO;
    overflow = ent.overflow;
    periodEnd = windowBounds(ent.period, now, sub).end;
  }
  const remaining = remainingOf(quota, used);
  const allowed =
    remaining === null || overflow === "soft" || units.lte(remaining) || (overflow === "extras" && units.minus(remaining).lte(usableOf(state)));
  return {
    allowed,
    feature,
    units: formatUnits(units),
    remaining: remaining === null ? null : formatUnits(remaining),
    extrasRemaining: formatUnits(state.balance),
    resetsAt: resetsAtOf(periodEnd),
  };
}
