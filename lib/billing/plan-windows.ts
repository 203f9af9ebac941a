import { Prisma } from "@/lib/generated/prisma/client";
import { inTransaction, type Client } from "@/lib/db";
import { overridesInForce, withOverrides } from "./overrides";
import { markStandingCount } from "./thresholds";
import { toDec } from "./units";
import { lockSubscription } from "./windows";

/**
 * The subscription's plan changed (the caller has already stored the new planId), or an override began. An
 * upgrade applies at once: every active window whose new limit (the override's, where one is in force) is
 * higher (or unlimited) gets the new quota, overflow and plan.
 * Lower limits wait for the next window (downgrades apply at period end) unless `lowerQuotas` is set,
 * e.g. when an unpaid workspace is moved to Free. A window whose count a lowered quota puts past 80% or 100%
 * has those thresholds marked, as usage would have (markStandingCount).
 */
export async function onPlanChanged(
  db: Client,
  input: { workspaceId: string; now?: Date; lowerQuotas?: boolean },
): Promise<{ changedWindowIds: string[] }> {
  const now = input.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const sub = await lockSubscription(tx, input.workspaceId, "update");
    const ents = withOverrides(await tx.entitlement.findMany({ where: { planId: sub.planId } }), await overridesInForce(tx, input.workspaceId, now));
    // Updated in feature order, the order batch recording and resets lock windows in, so none of them deadlock.
    const windows = await tx.usageWindow.findMany({
      where: { workspaceId: input.workspaceId, periodStart: { lte: now }, periodEnd: { gt: now } },
      orderBy: { feature: "asc" },
    });
    const changed: (typeof windows)[number][] = [];
    for (const w of windows) {
      const ent = ents.find((e) => e.feature === w.feature);
      if (!ent || !quotaChanges(w.quota, ent.limit, input.lowerQuotas)) continue;
      // The updated row, read under its lock: the count as it stands now, not as first read.
      changed.push(await tx.usageWindow.update({ where: { id: w.id }, data: { quota: ent.limit, overflow: ent.overflow, planId: sub.planId } }));
    }
    // Marked once every window is locked: a 100% mark locks the extras account, which comes after windows.
    for (const u of changed) {
      await markStandingCount(tx, { workspaceId: u.workspaceId, windowId: u.id, feature: u.feature, kind: u.kind, used: toDec(u.used), quota: u.quota && toDec(u.quota), periodEnd: u.periodEnd, now });
    }
    return { changedWindowIds: changed.map((u) => u.id) };
  });
}

/**
 * Whether an open window with quota `current` takes a new plan's `limit` now (null = unlimited): when it is
 * higher (an upgrade), or lower with `lowerQuotas`; otherwise the window keeps its quota to its end.
 */
export function quotaChanges(current: Prisma.Decimal | null, limit: Prisma.Decimal | null, lowerQuotas = false): boolean {
  const raises = limit === null ? current !== null : current !== null && limit.gt(current);
  const lowers = limit !== null && (current === null || limit.lt(current));
  return raises || (lowers && lowerQuotas);
}
