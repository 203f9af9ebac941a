"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { operatorAdjustExtras, operatorRefund } from "@/lib/admin/actions";
import { endOverride, setOverride } from "@/lib/admin/overrides";
import { moveWorkspace } from "@/lib/admin/plan-moves";
import { refundAmountCents } from "@/lib/admin/refund-amount";
import { endTrialNow, extendTrial, operatorCancel } from "@/lib/admin/subscriptions";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { formatMoney } from "@/lib/money";
import { formAction } from "@/lib/server/action";
import { requireOperatorAction } from "@/lib/server/operator";
import { formRequestKey } from "@/lib/payments/request-key";
import { parseUtcDateTime } from "@/lib/dates";

const id = z.string().min(1).max(100);
const requestId = formRequestKey;
const dollars = z.string().trim().regex(/^(\d{1,7})(\.\d{1,2})?$/, "Enter an amount like 5 or 12.50.");

async function workspaceOrNotFound(workspaceId: string) {
  const w = await db().workspace.findUnique({ where: { id: workspaceId }, select: { id: true } });
  if (!w) throw new AppError("not_found", "Workspace not found.");
  return w;
}

export const adjustExtrasAction = formAction(
  z.object({
    workspaceId: id,
    requestId,
    units: z.string().trim().regex(/^[+-]?\d{1,12}(\.\d{1,6})?$/, "Enter a signed number of units, like 250 or -40.").refine((v) => !/^[+-]?0+(\.0*)?$/.test(v), "Enter an amount other than 0."),
    memo: z.string().trim().min(3, "Say why, in a few words.").max(500),
    expiresInDays: z.union([z.literal(""), z.coerce.number().int("Enter whole days.").min(1).max(3650)]).optional(),
  }),
  async (input) => {
    const op = await requireOperatorAction();
    await workspaceOrNotFound(input.workspaceId);
    const now = new Date();
    const expiresAt = typeof input.expiresInDays === "number" ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null;
    if (expiresAt && input.units.startsWith("-")) throw new AppError("invalid_request", "Only a credit can expire.", { field: "expiresInDays" });
    const r = await operatorAdjustExtras(db(), op, { workspaceId: input.workspaceId, units: input.units.replace(/^\+/, ""), memo: input.memo, expiresAt, requestId: input.requestId, now });
    revalidatePath(`/admin/workspaces/${input.workspaceId}`);
    return { ok: true, message: r.created ? `Adjusted by ${input.units} units; the balance is now ${r.balance}.` : `This adjustment was already made; the balance is ${r.balance}.` };
  },
);

export const refundPurchaseAction = formAction(
  z.object({
    workspaceId: id,
    lotId: id,
    mode: z.enum(["full", "partial"]),
    amount: z.union([z.literal(""), dollars]).optional(),
    refundRequestId: requestId,
  }),
  async (input) => {
    const op = await requireOperatorAction();
    await workspaceOrNotFound(input.workspaceId);
    const amountCents = refundAmountCents(input.mode, input.amount);
    const r = await operatorRefund(db(), op, { workspaceId: input.workspaceId, lotId: input.lotId, amountCents, refundRequestId: input.refundRequestId });
    revalidatePath(`/admin/workspaces/${input.workspaceId}`);
    const money = formatMoney(r.amountCents);
    if (r.status === "failed" || r.status === "canceled") return { ok: false, message: `The refund of ${money} ${r.status === "failed" ? "failed" : "was canceled"}; no units were taken back.` };
    return { ok: true, message: `Refunded ${money}; ${r.clawedUnits} units were taken back (balance ${r.balance}).` };
  },
);

export const extendTrialAction = formAction(
  z.object({ workspaceId: id, requestId, days: z.coerce.number().int("Enter whole days.").min(1, "At least 1 day.").max(90, "At most 90 days."), memo: z.string().trim().max(500).optional() }),
  async (input) => {
    const op = await requireOperatorAction();
    await workspaceOrNotFound(input.workspaceId);
    const r = await extendTrial(db(), op, { workspaceId: input.workspaceId, days: input.days, requestId: input.requestId, memo: input.memo || undefined });
    revalidatePath(`/admin/workspaces/${input.workspaceId}`);
    const ends = r.trialEndsAt.toISOString().slice(0, 10);
    return { ok: true, message: r.created ? `The trial now ends ${ends}.` : `This extension was already made; the trial ends ${ends}.` };
  },
);

export const endTrialAction = formAction(z.object({ workspaceId: id, memo: z.string().trim().max(500).optional() }), async (input) => {
  const op = await requireOperatorAction();
  await workspaceOrNotFound(input.workspaceId);
  await endTrialNow(db(), op, { workspaceId: input.workspaceId, memo: input.memo || undefined });
  revalidatePath(`/admin/workspaces/${input.workspaceId}`);
  return { ok: true, message: "The trial has ended; the workspace is on Free." };
});

/** Moves the workspace to another plan version now (the page showed the preview of exactly this move). */
export const movePlanAction = formAction(
  z.object({ workspaceId: id, fromPlanId: id, toPlanId: id, requestId, memo: z.string().trim().max(500).optional() }),
  async (input) => {
    const op = await requireOperatorAction();
    await workspaceOrNotFound(input.workspaceId);
    const r = await moveWorkspace(db(), op, { workspaceId: input.workspaceId, fromPlanId: input.fromPlanId, toPlanId: input.toPlanId, key: input.requestId, memo: input.memo || null });
    revalidatePath(`/admin/workspaces/${input.workspaceId}`);
    if (r.outcome === "skipped") return { ok: false, message: `Not moved: ${r.reason}` };
    return { ok: true, message: r.outcome === "moved" ? `Moved to ${r.after.plan}.` : `Already on ${r.after.plan}.` };
  },
);

export const cancelSubscriptionAction = formAction(
  z.object({ workspaceId: id, when: z.enum(["period_end", "now", "resume"]), requestId, memo: z.string().trim().max(500).optional() }),
  async (input) => {
    const op = await requireOperatorAction();
    await workspaceOrNotFound(input.workspaceId);
    const r = await operatorCancel(db(), op, { workspaceId: input.workspaceId, when: input.when, requestId: input.requestId, memo: input.memo || null });
    revalidatePath(`/admin/workspaces/${input.workspaceId}`);
    if (input.when === "now") return { ok: true, message: r.changed ? "Canceled now: the workspace is on Free with Free's limits." : "This subscription was already canceled." };
    if (input.when === "resume") return { ok: true, message: r.changed ? "The cancellation is undone: the subscription renews." : "No cancellation was scheduled: the subscription renews." };
    return { ok: true, message: `Cancels at the period end${r.currentPeriodEnd ? ` (${r.currentPeriodEnd.toISOString().slice(0, 10)})` : ""}; until then nothing changes.` };
  },
);

export const setOverrideAction = formAction(
  z.object({
    workspaceId: id,
    requestId,
    feature: z.string().regex(/^[a-z0-9_]{1,64}$/, "Choose a feature."),
    limit: z.string().trim().toLowerCase().regex(/^(unlimited|\d{1,12}(\.\d{1,6})?)$/, "Enter a limit like 50000, or unlimited."),
    endsOn: z.string().trim().regex(/^\d{4}-\d\d-\d\d$/, "Enter the end date as YYYY-MM-DD."),
    memo: z.string().trim().min(3, "Say what deal this is, in a few words.").max(500),
  }),
  async (input) => {
    const op = await requireOperatorAction();
    await workspaceOrNotFound(input.workspaceId);
    const endsAt = parseUtcDateTime(input.endsOn);
    if (!endsAt) throw new AppError("invalid_request", `There is no day ${input.endsOn}.`, { field: "endsOn" });
    const r = await setOverride(db(), op, {
      workspaceId: input.workspaceId, feature: input.feature, limit: input.limit === "unlimited" ? null : input.limit, endsAt, memo: input.memo, requestId: input.requestId,
    });
    revalidatePath(`/admin/workspaces/${input.workspaceId}`);
    const limit = r.override.limit === null ? "unlimited" : r.override.limit.toFixed();
    return { ok: true, message: r.created ? `${input.feature}: ${limit} until ${input.endsOn}.` : "This override was already set." };
  },
);

export const endOverrideAction = formAction(z.object({ workspaceId: id, overrideId: id }), async (input) => {
  const op = await requireOperatorAction();
  await workspaceOrNotFound(input.workspaceId);
  const r = await endOverride(db(), op, { workspaceId: input.workspaceId, overrideId: input.overrideId });
  revalidatePath(`/admin/workspaces/${input.workspaceId}`);
  return { ok: true, message: r.ended ? "Ended: new windows take the plan's limit again." : "Already ended." };
});
