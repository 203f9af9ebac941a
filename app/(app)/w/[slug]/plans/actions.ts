"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/lib/db";
import { formAction } from "@/lib/server/action";
import { requireWorkspaceAction } from "@/lib/server/session";
import {
  cancelScheduledChange, openBillingPortal, scheduleDowngrade, setCancelAtPeriodEnd, startPlanCheckout, startTrial, upgradeNow,
} from "@/lib/payments";
import { formRequestKey } from "@/lib/payments/request-key";

const slug = z.string().min(1).max(100);
const planKey = z.string().regex(/^[a-z0-9_]{1,40}$/, "Unknown plan.");
const interval = z.enum(["month", "year"]);
const requestKey = formRequestKey;
// The moment the page's preview prorated for (Unix seconds); the upgrade is then charged exactly what the page showed.
const prorationDate = z.coerce.number().int().positive().max(2 ** 31).optional();

const done = (s: string, message: string) => {
  revalidatePath(`/w/${s}`, "layout");
  return { ok: true, message };
};

export const startCheckoutAction = formAction(z.object({ slug, plan: planKey, interval, requestKey }), async (input) => {
  const { workspace } = await requireWorkspaceAction(input.slug, "billing-change");
  const { url } = await startPlanCheckout(db(), { workspaceId: workspace.id, slug: workspace.slug, planKey: input.plan, interval: input.interval, requestKey: input.requestKey });
  redirect(url);
});

export const startTrialAction = formAction(z.object({ slug, plan: planKey }), async (input) => {
  const { workspace, userId } = await requireWorkspaceAction(input.slug, "billing-change");
  const { trialEndsAt } = await startTrial(db(), { workspaceId: workspace.id, planKey: input.plan, userId });
  return done(input.slug, `Your trial is on until ${trialEndsAt.toUTCString().slice(0, 16)}. No card needed; it ends by itself unless you subscribe.`);
});

// The form's token makes a double click one Stripe request; a retry after a decline is still a new attempt.
// When the bank asks for 3-D Secure, the owner goes to Stripe's invoice page to confirm the payment; the
// billing overview keeps the link (and says the plan is unchanged) until it is paid or dropped.
export const upgradeNowAction = formAction(z.object({ slug, plan: planKey, interval, requestKey, prorationDate }), async (input) => {
  const { workspace } = await requireWorkspaceAction(input.slug, "billing-change");
  const result = await upgradeNow(db(), { workspaceId: workspace.id, planKey: input.plan, interval: input.interval, requestKey: input.requestKey, prorationDate: input.prorationDate });
  if (result.state === "requires_action") {
    revalidatePath(`/w/${input.slug}`, "layout");
    redirect(result.hostedInvoiceUrl);
  }
  return done(input.slug, "Upgraded. The prorated difference was charged and the new quotas apply now.");
});

export const scheduleDowngradeAction = formAction(z.object({ slug, plan: planKey, interval }), async (input) => {
  const { workspace } = await requireWorkspaceAction(input.slug, "billing-change");
  await scheduleDowngrade(db(), { workspaceId: workspace.id, planKey: input.plan, interval: input.interval });
  return done(input.slug, "Change scheduled for the end of the current period. You keep your current plan until then.");
});

export const cancelScheduledChangeAction = formAction(z.object({ slug }), async (input) => {
  const { workspace } = await requireWorkspaceAction(input.slug, "billing-change");
  await cancelScheduledChange(db(), { workspaceId: workspace.id });
  return done(input.slug, "The scheduled change was cancelled; your plan renews as it is.");
});

export const cancelAtPeriodEndAction = formAction(z.object({ slug, cancel: z.enum(["true", "false"]) }), async (input) => {
  const { workspace } = await requireWorkspaceAction(input.slug, "billing-change");
  await setCancelAtPeriodEnd(db(), { workspaceId: workspace.id, cancel: input.cancel === "true" });
  return done(input.slug, input.cancel === "true" ? "Your subscription ends at the end of the period; then the workspace moves to Free." : "Your subscription will renew as usual.");
});

export const openPortalAction = formAction(z.object({ slug }), async (input) => {
  const { workspace } = await requireWorkspaceAction(input.slug, "billing-change");
  const url = await openBillingPortal(db(), { workspaceId: workspace.id, slug: workspace.slug });
  redirect(url);
});
