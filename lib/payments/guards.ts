import type { SubscriptionStatus } from "@/lib/generated/prisma/enums";
import { AppError } from "@/lib/errors";
import type { Client } from "./db";

/** Said in the app wherever a purchase is refused during dunning. */
export const DEGRADED_MESSAGE =
  "Purchases are paused because a payment has been failing for more than 7 days. Update your card in the billing portal and pay the open invoice; your current quota keeps working meanwhile.";
export const UNPAID_MESSAGE =
  "This workspace was moved to Free after 14 days of failed payments. Pay the open invoice in the billing portal to restore your plan before buying anything new.";

export function purchaseBlockReason(status: SubscriptionStatus): string | null {
  if (status === "degraded") return DEGRADED_MESSAGE;
  if (status === "unpaid") return UNPAID_MESSAGE;
  return null;
}

/** New checkouts and extras purchases are refused in degraded (and unpaid) mode, with a message saying why. */
export async function assertPurchasesAllowed(db: Client, workspaceId: string): Promise<void> {
  const sub = await db.subscription.findUnique({ where: { workspaceId }, select: { status: true } });
  if (!sub) throw new AppError("not_found", "Workspace not found.");
  const reason = purchaseBlockReason(sub.status);
  if (reason) throw new AppError("purchases_blocked", reason);
}
