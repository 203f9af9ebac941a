import { z } from "zod";
import { AppError } from "@/lib/errors";
import type { Client } from "@/lib/db";
import type { CostsInput } from "./costs";
import { limitAt } from "./overrides";
import { windowBounds } from "./periods";
import { decideQuota, remainingOf, type WindowState } from "./quota-rule";
import { ZERO, formatUnits, parseUnits, toDec, type Dec } from "./units";
import { unitsFromCosts } from "./usage-costs";
import { readUsageState, resetsAtOf, type UsageAnswer } from "./usage-state";
import { usageQuestionShape, zodError } from "./validation";
import type { WorkspaceRef } from "./throughput";

const checkSchema = z.object(usageQuestionShape).strict();

export interface CheckUsageInput {
  /** An id, or a scope the first statement resolves (see workspace-scope.ts). */
  workspaceId: WorkspaceRef;
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
  const { feature } = r.data;
  let workspace = r.data.workspaceId;
  const now = r.data.now ?? new Date();
  if (r.data.units !== undefined && r.data.costs !== undefined) {
    throw new AppError("invalid_request", "Send at most one of units or costs.", { field: "units" });
  }
  let units: Dec;
  if (r.data.costs) ({ workspaceId: workspace, units } = await unitsFromCosts(db, workspace, r.data.costs, now));
  else units = parseUnits(r.data.units ?? 1);
  const { workspaceId, ...state } = await readUsageState(db, workspace, feature, now);
  let window: WindowState;
  let periodEnd: Date;
  if (state.window) {
    window = state.window;
    periodEnd = state.window.periodEnd;
  } else {
    // No window yet: what the next one would be, from the plan, without opening it.
    const sub = await db.subscription.findUnique({ where: { workspaceId }, include: { plan: { include: { entitlements: true } } } });
    if (!sub) throw new AppError("not_found", "Workspace not found.", { workspaceId });
    const ent = sub.plan.entitlements.find((e) => e.feature === feature);
    if (!ent) throw new AppError("invalid_request", `Unknown feature "${feature}" for this workspace's plan.`, { field: "feature", feature });
    const limit = await limitAt(db, workspaceId, ent, now);
    window = { kind: ent.kind, quota: limit === null ? null : toDec(limit), used: ZERO, overflow: ent.overflow };
    periodEnd = windowBounds(ent.period, now, sub).end;
  }
  const remaining = remainingOf(window.quota, window.used);
  return {
    allowed: decideQuota(window, state, units).outcome !== "refused",
    feature,
    units: formatUnits(units),
    remaining: remaining === null ? null : formatUnits(remaining),
    extrasRemaining: formatUnits(state.balance),
    resetsAt: resetsAtOf(periodEnd),
  };
}
