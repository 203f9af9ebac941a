import { Prisma } from "@/lib/generated/prisma/client";
import type { EntitlementKind, EntitlementPeriod, Overflow } from "@/lib/generated/prisma/enums";
import type { Client } from "@/lib/db";

/**
 * Per-workspace entitlement overrides (an operator's deal: a custom limit for a feature until an end date).
 * They change the quota a window opens with, or is raised to, never the recording itself: windows
 * snapshot their quota, so a recording reads the override through its window like any plan limit.
 *
 * In force at `at`: started (startsAt <= at), not ended (at < endsAt, and not ended early by endedAt <= at).
 * Of several in force for one feature, the one created last wins.
 */
export interface OverrideInForce {
  id: string;
  feature: string;
  limit: Prisma.Decimal | null; // null = unlimited
  endsAt: Date;
  memo: string;
}

/** The overrides in force for a workspace at `at`, one per feature (newest wins). One indexed query. */
export async function overridesInForce(db: Client, workspaceId: string, at: Date, feature?: string): Promise<Map<string, OverrideInForce>> {
  const rows = await db.entitlementOverride.findMany({
    where: {
      workspaceId,
      ...(feature ? { feature } : {}),
      endsAt: { gt: at },
      startsAt: { lte: at },
      OR: [{ endedAt: null }, { endedAt: { gt: at } }],
    },
    orderBy: { createdAt: "asc" },
    select: { id: true, feature: true, limit: true, endsAt: true, memo: true },
  });
  return new Map(rows.map((r) => [r.feature, r]));
}

/** The limit a window of `feature` takes at `at`: the override in force, else the plan's entitlement limit. */
export async function limitAt(db: Client, workspaceId: string, ent: { feature: string; limit: Prisma.Decimal | null }, at: Date): Promise<Prisma.Decimal | null> {
  const o = (await overridesInForce(db, workspaceId, at, ent.feature)).get(ent.feature);
  return o ? o.limit : ent.limit;
}

/** Every entitlement's limit at `at` with the overrides applied (for the plan-wide window updates). */
export function withOverrides<E extends { feature: string; limit: Prisma.Decimal | null }>(ents: E[], overrides: Map<string, OverrideInForce>): E[] {
  return ents.map((e) => {
    const o = overrides.get(e.feature);
    return o ? { ...e, limit: o.limit } : e;
  });
}

/**
 * The plan's entitlement for a feature with its limit as a window opened at `at` takes it: an override's
 * (newest in force) when there is one. One statement, so opening a window costs no extra round trip.
 */
export async function entitlementWithOverride(db: Client, input: { workspaceId: string; planId: string; feature: string; at: Date }) {
  const rows = await db.$queryRaw<{ id: string; planId: string; feature: string; kind: EntitlementKind; period: EntitlementPeriod; overflow: Overflow; limit: string | null }[]>`
    SELECT e.id, e."planId", e.feature, e.kind, e.period, e.overflow,
      CASE WHEN o.id IS NULL THEN e."limit"::text ELSE o."limit"::text END AS "limit"
    FROM "Entitlement" e
    LEFT JOIN LATERAL (
      SELECT x.id, x."limit" FROM "EntitlementOverride" x
      WHERE x."workspaceId" = ${input.workspaceId} AND x.feature = e.feature AND x."startsAt" <= ${input.at} AND x."endsAt" > ${input.at}
        AND (x."endedAt" IS NULL OR x."endedAt" > ${input.at})
      ORDER BY x."createdAt" DESC LIMIT 1
    ) o ON true
    WHERE e."planId" = ${input.planId} AND e.feature = ${input.feature}`;
  const row = rows[0];
  return row ? { ...row, limit: row.limit === null ? null : new Prisma.Decimal(row.limit) } : null;
}
