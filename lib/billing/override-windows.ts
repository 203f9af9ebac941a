import { inTransaction, type Client } from "@/lib/db";
import type { EntitlementKind } from "@/lib/generated/prisma/enums";
import { limitAt } from "./overrides";
import { markStandingCount } from "./thresholds";
import { toDec } from "./units";
import { lockSubscription } from "./windows";

/**
 * Windows that never roll over (period lifetime: seats, projects) would keep an override's quota forever,
 * since only a new window takes a new limit. When an override of such a feature begins, ends early or runs
 * out, its lifetime windows take the limit in force now (the plan's, or another override's), lower or
 * higher. Claims above a lowered limit are refused until releases bring usage under it; the thresholds a
 * lowered limit puts a meter's count past are marked (markStandingCount). Returns how many windows changed.
 */
export async function applyLifetimeLimit(db: Client, input: { workspaceId: string; feature: string; now: Date }): Promise<number> {
  return inTransaction(db, async (tx) => {
    const sub = await lockSubscription(tx, input.workspaceId, "update");
    const ent = await tx.entitlement.findUnique({ where: { planId_feature: { planId: sub.planId, feature: input.feature } } });
    if (!ent) return 0;
    const quota = await limitAt(tx, input.workspaceId, ent, input.now);
    const changed = await tx.$queryRaw<{ id: string; kind: EntitlementKind; used: string; periodEnd: Date }[]>`
      UPDATE "UsageWindow" SET quota = ${quota?.toFixed() ?? null}::numeric
      WHERE "workspaceId" = ${input.workspaceId} AND feature = ${input.feature} AND period = 'lifetime'
        AND "periodStart" <= ${input.now} AND "periodEnd" > ${input.now} AND quota IS DISTINCT FROM ${quota?.toFixed() ?? null}::numeric
      RETURNING id, kind::text AS kind, used::text AS used, "periodEnd"`;
    for (const w of changed) {
      await markStandingCount(tx, { workspaceId: input.workspaceId, windowId: w.id, feature: input.feature, kind: w.kind, used: toDec(w.used), quota: quota && toDec(quota), periodEnd: w.periodEnd, now: input.now });
    }
    return changed.length;
  });
}

/**
 * Overrides that ran out (or were ended early) and whose lifetime windows have not been brought back yet:
 * each is settled once (settledAt), in its own transaction. The reconcile cron calls this; ending an
 * override early settles it at once.
 */
export async function settleEndedOverrides(db: Client, input: { now?: Date; workspaceId?: string; limit?: number } = {}): Promise<{ settled: number }> {
  const now = input.now ?? new Date();
  const ended = await db.entitlementOverride.findMany({
    where: { settledAt: null, ...(input.workspaceId ? { workspaceId: input.workspaceId } : {}), OR: [{ endsAt: { lte: now } }, { endedAt: { lte: now } }] },
    orderBy: { endsAt: "asc" },
    take: input.limit ?? 500,
    select: { id: true, workspaceId: true, feature: true },
  });
  for (const o of ended) {
    await inTransaction(db, async (tx) => {
      await applyLifetimeLimit(tx, { workspaceId: o.workspaceId, feature: o.feature, now });
      await tx.entitlementOverride.update({ where: { id: o.id }, data: { settledAt: now } });
    });
  }
  return { settled: ended.length };
}
