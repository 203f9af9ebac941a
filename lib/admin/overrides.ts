import { applyLifetimeLimit, onPlanChanged, overridesInForce, type Client } from "@/lib/billing";
import { inTransaction } from "@/lib/db";
import { isUniqueViolation } from "@/lib/billing/db-errors";
import { AppError } from "@/lib/errors";
import { recordAudit } from "./audit";
import type { Operator } from "./operators";

const actor = (op: Operator) => ({ kind: "operator" as const, id: op.id, email: op.email });
const limitText = (v: { toFixed(): string } | null) => (v === null ? "unlimited" : v.toFixed());

/** The workspace's overrides, newest first (in force, scheduled and past), for the console. */
export async function listOverrides(db: Client, workspaceId: string, limit = 50) {
  return db.entitlementOverride.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, take: limit });
}

/**
 * An operator's deal for one feature of a workspace: `limit` (null = unlimited) until `endsAt`, whatever the
 * plan says, plan changes included. A higher limit applies to the current window at once (as an upgrade
 * does); a lower one from the next window, except for lifetime features (seats, projects), which have none
 * and take it now. The request id makes a double submit one override.
 */
export async function setOverride(
  db: Client,
  op: Operator,
  input: { workspaceId: string; feature: string; limit: string | null; endsAt: Date; memo: string; requestId: string; now?: Date },
) {
  const now = input.now ?? new Date();
  if (input.endsAt <= now) throw new AppError("invalid_request", "The end date must be in the future.", { field: "endsAt" });
  const id = `ovr_${input.requestId}`;
  try {
    return await inTransaction(db, async (tx) => {
      const sub = await tx.subscription.findUnique({ where: { workspaceId: input.workspaceId }, select: { planId: true } });
      if (!sub) throw new AppError("not_found", "Workspace not found.");
      const ent = await tx.entitlement.findUnique({ where: { planId_feature: { planId: sub.planId, feature: input.feature } } });
      if (!ent) throw new AppError("invalid_request", `The workspace's plan has no feature "${input.feature}".`, { field: "feature" });
      const before = (await overridesInForce(tx, input.workspaceId, now, input.feature)).get(input.feature);
      const created = await tx.entitlementOverride.create({
        data: { id, workspaceId: input.workspaceId, feature: input.feature, limit: input.limit, startsAt: now, endsAt: input.endsAt, memo: input.memo, createdById: op.id, createdByEmail: op.email },
      });
      await onPlanChanged(tx, { workspaceId: input.workspaceId, now });
      if (ent.period === "lifetime") await applyLifetimeLimit(tx, { workspaceId: input.workspaceId, feature: input.feature, now });
      await recordAudit(tx, actor(op), {
        workspaceId: input.workspaceId, action: "entitlement_override.set", subjectType: "entitlement_override", subjectId: created.id, memo: input.memo,
        before: { feature: input.feature, limit: limitText(before ? before.limit : ent.limit), from: before ? "override" : "plan" },
        after: { feature: input.feature, limit: limitText(created.limit), endsAt: created.endsAt },
      });
      return { created: true, override: created };
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    return { created: false, override: await db.entitlementOverride.findUniqueOrThrow({ where: { id } }) };
  }
}

/** Ends an override now: new windows take the plan's limit again (lifetime windows at once). Ending it twice is one end. */
export async function endOverride(db: Client, op: Operator, input: { workspaceId: string; overrideId: string; now?: Date }) {
  const now = input.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "EntitlementOverride" WHERE id = ${input.overrideId} AND "workspaceId" = ${input.workspaceId} FOR UPDATE`;
    if (!rows[0]) throw new AppError("not_found", "Override not found.");
    const o = await tx.entitlementOverride.findUniqueOrThrow({ where: { id: input.overrideId } });
    if ((o.endedAt && o.endedAt <= now) || o.endsAt <= now) return { ended: false };
    await tx.entitlementOverride.update({ where: { id: o.id }, data: { endedAt: now, settledAt: now } });
    await applyLifetimeLimit(tx, { workspaceId: input.workspaceId, feature: o.feature, now });
    await recordAudit(tx, actor(op), {
      workspaceId: input.workspaceId, action: "entitlement_override.ended", subjectType: "entitlement_override", subjectId: o.id,
      before: { feature: o.feature, limit: limitText(o.limit), endsAt: o.endsAt }, after: { feature: o.feature, endedAt: now },
    });
    return { ended: true };
  });
}
