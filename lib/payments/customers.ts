import { AppError } from "@/lib/errors";
import { isStripeError, stripe } from "@/lib/stripe";
import type { Client } from "./db";

/**
 * The workspace's Stripe customer, created on first need. The idempotency key makes two concurrent first
 * purchases share one customer; the conditional update keeps the first id stored.
 */
export async function ensureStripeCustomer(db: Client, workspaceId: string): Promise<string> {
  const ws = await db.workspace.findUnique({
    where: { id: workspaceId },
    select: { id: true, name: true, stripeCustomerId: true, memberships: { where: { role: "OWNER" }, take: 1, orderBy: { createdAt: "asc" }, select: { user: { select: { email: true } } } } },
  });
  if (!ws) throw new AppError("not_found", "Workspace not found.");
  if (ws.stripeCustomerId) {
    if (await customerExists(ws.stripeCustomerId)) return ws.stripeCustomerId;
    // The customer is gone at Stripe (deleted in the dashboard, or a local emulator that restarted empty): start over.
    await db.workspace.updateMany({ where: { id: workspaceId, stripeCustomerId: ws.stripeCustomerId }, data: { stripeCustomerId: null } });
  }
  const customer = await stripe().customers.create(
    { name: ws.name, email: ws.memberships[0]?.user.email, metadata: { workspaceId } },
    { idempotencyKey: `customer_${workspaceId}_${ws.stripeCustomerId ?? "first"}` },
  );
  await db.workspace.updateMany({ where: { id: workspaceId, stripeCustomerId: null }, data: { stripeCustomerId: customer.id } });
  const stored = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { stripeCustomerId: true } });
  return stored.stripeCustomerId ?? customer.id;
}

async function customerExists(id: string): Promise<boolean> {
  try {
    const customer = await stripe().customers.retrieve(id);
    return !customer.deleted;
  } catch (e) {
    if (isStripeError(e) && e.statusCode === 404) return false;
    throw e;
  }
}
