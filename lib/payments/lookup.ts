import { FREE_PLAN_KEY } from "@/lib/billing/catalog";
import { currentPlanVersion } from "@/lib/billing";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Stripe } from "@/lib/stripe";
import type { Client } from "./db";

/** The workspace a Stripe object belongs to: its metadata.workspaceId, else its customer's workspace. */
export async function workspaceIdFor(db: Client, ref: { metadata?: Record<string, string> | null; customer?: string | { id: string } | null }): Promise<string | null> {
  const fromMetadata = ref.metadata?.workspaceId;
  if (fromMetadata) {
    const ws = await db.workspace.findUnique({ where: { id: fromMetadata }, select: { id: true } });
    if (ws) return ws.id;
  }
  const customerId = typeof ref.customer === "string" ? ref.customer : (ref.customer?.id ?? null);
  if (!customerId) return null;
  const ws = await db.workspace.findUnique({ where: { stripeCustomerId: customerId }, select: { id: true } });
  return ws?.id ?? null;
}

/** The plan version and interval a Stripe price stands for (by stored price id, else by lookup key). */
export async function planForPrice(db: Client, price: Stripe.Price): Promise<{ planId: string; interval: "month" | "year" }> {
  const plan = await db.plan.findFirst({
    where: {
      OR: [
        { stripeMonthlyPriceId: price.id },
        { stripeAnnualPriceId: price.id },
        ...(price.lookup_key ? [{ monthlyLookupKey: price.lookup_key }, { annualLookupKey: price.lookup_key }] : []),
      ],
    },
  });
  if (!plan) throw new AppError("not_found", `No plan version uses the Stripe price ${price.id}${price.lookup_key ? ` (${price.lookup_key})` : ""}; sync the catalog.`);
  const interval = price.recurring?.interval === "year" ? "year" : "month";
  return { planId: plan.id, interval };
}

export async function freePlanId(db: Tx): Promise<string> {
  const free = await currentPlanVersion(db, FREE_PLAN_KEY);
  if (!free) throw new AppError("billing_unavailable", "The plan catalog is not seeded.");
  return free.id;
}

/**
 * Stripe statuses of a subscription that is over: the row keeps its id (so a late event for it is known as an
 * older subscription and never displaces what came after), but it no longer bills, so a local trial or a new
 * checkout may follow it.
 */
export const STRIPE_ENDED_STATUSES = ["canceled", "incomplete_expired", "paused"];

/** Whether the row is billed by a Stripe subscription that is still going (not one that ended). */
export function billedByStripe(row: { stripeSubscriptionId: string | null; stripeStatus: string | null }): boolean {
  return row.stripeSubscriptionId !== null && !STRIPE_ENDED_STATUSES.includes(row.stripeStatus ?? "");
}

/** Locks the workspace's subscription row for the rest of the transaction: one writer of Stripe state at a time. */
export async function lockSubscriptionRow(tx: Tx, workspaceId: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Subscription" WHERE "workspaceId" = ${workspaceId} FOR UPDATE`;
  if (!rows[0]) throw new AppError("not_found", "Workspace not found.", { workspaceId });
  return tx.subscription.findUniqueOrThrow({ where: { workspaceId } });
}
