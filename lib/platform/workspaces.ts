import { z } from "zod";
import type { Db, Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit, type Actor } from "@/lib/admin/audit";
import { FREE_PLAN_KEY } from "@/lib/billing/catalog";
import { currentPlanVersion } from "@/lib/billing/plans";
import { onPlanChanged } from "@/lib/billing";
import { lockSubscriptionRow } from "@/lib/payments/lookup";
import { freeSlug } from "@/lib/workspaces/create-workspace";
import { invitePlatformOwner, type SentInvitation } from "@/lib/workspaces/invitations";

// Workspaces the integrating backend provisions by its own ids (Platform API). No framework imports.

export const externalIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
  .meta({ description: "Your own id for this workspace (your customer or organisation id): unique across Tally.", example: "org_42" });
const nameSchema = z.string().trim().min(1).max(100).refine((s) => s.isWellFormed(), "must not hold an unpaired UTF-16 surrogate");

export const provisionSchema = z.strictObject({
  externalId: externalIdSchema,
  name: nameSchema.meta({ description: "The workspace's name, as its members see it." }),
  ownerEmail: z.email().max(320).optional().meta({ description: "Invited as the owner (an email with a link); they join when they accept." }),
  plan: z.string().min(1).max(64).optional().meta({ description: "free (default), or a plan to start a trial of with trial: true. Paid plans start with a checkout session." }),
  trial: z.boolean().optional().meta({ description: "Start the plan's trial (no card needed)." }),
});

export const workspacePatchSchema = z.strictObject({
  name: nameSchema.optional(),
  externalId: externalIdSchema.nullable().optional(),
});

export type ProvisionInput = z.infer<typeof provisionSchema>;

export interface WorkspaceView {
  id: string;
  externalId: string | null;
  name: string;
  slug: string;
  plan: { key: string; version: number; name: string };
  status: string;
  trialEndsAt: string | null;
  createdAt: string;
}

const DAY = 24 * 3600_000;

/** What the Platform API answers about a workspace. */
export async function workspaceView(db: Tx, workspaceId: string): Promise<WorkspaceView> {
  const ws = await db.workspace.findUnique({
    where: { id: workspaceId },
    select: { id: true, externalId: true, name: true, slug: true, createdAt: true, subscription: { select: { status: true, trialEndsAt: true, plan: { select: { key: true, version: true, name: true } } } } },
  });
  if (!ws || !ws.subscription) throw new AppError("not_found", "Workspace not found.", { field: "workspace" });
  const sub = ws.subscription;
  return {
    id: ws.id, externalId: ws.externalId, name: ws.name, slug: ws.slug,
    plan: sub.plan, status: sub.status,
    trialEndsAt: sub.status === "trialing" && sub.trialEndsAt ? sub.trialEndsAt.toISOString() : null,
    createdAt: ws.createdAt.toISOString(),
  };
}

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === "P2002";

/**
 * Creates the workspace for `externalId`, or answers the one that already has it: provisioning twice (a
 * retry, two instances racing) gives one workspace and the same answer, and only the first call invites
 * the owner or starts a trial. The workspace starts with no members; `ownerEmail` is invited as its owner.
 */
export async function provisionWorkspace(
  db: Db,
  actor: Actor & { id: string },
  input: ProvisionInput & { now?: Date },
): Promise<{ workspace: WorkspaceView; created: boolean; invitation: SentInvitation | null }> {
  const now = input.now ?? new Date();
  const existing = await db.workspace.findUnique({ where: { externalId: input.externalId }, select: { id: true } });
  if (existing) return { workspace: await workspaceView(db, existing.id), created: false, invitation: null };
  const planKey = input.plan ?? FREE_PLAN_KEY;
  try {
    return await db.$transaction(async (tx) => {
      const free = await currentPlanVersion(tx, FREE_PLAN_KEY);
      if (!free) throw new AppError("billing_unavailable", "The plan catalog is not seeded (run npm run db:seed).");
      const plan = planKey === FREE_PLAN_KEY ? free : await currentPlanVersion(tx, planKey);
      if (!plan || !plan.active) throw new AppError("invalid_request", `Unknown plan "${planKey}".`, { field: "plan" });
      if (plan.id !== free.id && !input.trial) {
        throw new AppError("invalid_request", "A paid plan starts with a checkout session (POST /api/v1/workspaces/{ref}/checkout-sessions), or send trial: true to start its trial.", { field: "plan" });
      }
      if (input.trial && plan.trialDays <= 0) throw new AppError("invalid_request", `The ${plan.name} plan has no trial.`, { field: "trial" });
      const ws = await tx.workspace.create({
        data: {
          name: input.name, slug: await freeSlug(tx, input.name), externalId: input.externalId,
          subscription: { create: { planId: free.id, status: "free" } },
          extrasAccount: { create: {} },
        },
      });
      if (input.trial) {
        await lockSubscriptionRow(tx, ws.id);
        await tx.subscription.update({ where: { workspaceId: ws.id }, data: { planId: plan.id, status: "trialing", interval: "month", trialEndsAt: new Date(now.getTime() + plan.trialDays * DAY) } });
        await onPlanChanged(tx, { workspaceId: ws.id, now });
      }
      const invitation = input.ownerEmail ? await invitePlatformOwner(tx, { workspaceId: ws.id, email: input.ownerEmail, platformKeyId: actor.id, now }) : null;
      await recordAudit(tx, actor, {
        workspaceId: ws.id, action: "workspace.provisioned", subjectType: "workspace", subjectId: ws.id,
        after: { externalId: input.externalId, name: input.name, plan: plan.key, trial: input.trial ?? false, ownerInvited: invitation?.invitation.email ?? null },
      });
      return { workspace: await workspaceView(tx, ws.id), created: true, invitation };
    });
  } catch (e) {
    // Another request provisioned the same externalId between our look and our insert: theirs is the one.
    if (!isUniqueViolation(e)) throw e;
    const winner = await db.workspace.findUnique({ where: { externalId: input.externalId }, select: { id: true } });
    if (!winner) throw e;
    return { workspace: await workspaceView(db, winner.id), created: false, invitation: null };
  }
}

/**
 * Renames a workspace or changes its externalId (null clears it); audited. Another workspace's externalId is 409.
 * The externalId is the integrator's id for the workspace, so only the integrator (a platform key) sets it: a
 * workspace key belongs to the workspace's own admins, who could otherwise claim an id not provisioned yet and
 * be handed the next customer provisioned under it (403).
 */
export async function updateWorkspace(
  db: Db,
  actor: Actor,
  input: { workspaceId: string; name?: string; externalId?: string | null; byPlatform: boolean },
): Promise<WorkspaceView> {
  if (input.externalId !== undefined && !input.byPlatform) {
    throw new AppError("forbidden", "Only a platform key sets or clears a workspace's externalId.", { field: "externalId" });
  }
  try {
    return await db.$transaction(async (tx) => {
      const before = await tx.workspace.findUniqueOrThrow({ where: { id: input.workspaceId }, select: { name: true, externalId: true } });
      const data = { ...(input.name !== undefined ? { name: input.name } : {}), ...(input.externalId !== undefined ? { externalId: input.externalId } : {}) };
      if (Object.keys(data).length) {
        await tx.workspace.update({ where: { id: input.workspaceId }, data });
        await recordAudit(tx, actor, { workspaceId: input.workspaceId, action: "workspace.updated", subjectType: "workspace", subjectId: input.workspaceId, before, after: data });
      }
      return workspaceView(tx, input.workspaceId);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("conflict", "Another workspace already has this externalId.", { field: "externalId" });
    throw e;
  }
}
