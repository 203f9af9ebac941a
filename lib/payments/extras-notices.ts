import { deliverNotifications } from "@/lib/billing";
import { recordLifecycleEmail } from "@/lib/email/lifecycle/record";
import type { Client } from "./db";

// Emails about extras: a receipt once a checkout's pack is credited, and the outcome of each auto top-up.
// Keyed by their cause (the checkout session, the attempt), so the webhook, the success page and a resumed
// attempt that all see the same payment send one email.

const isClient = (db: Client) => typeof (db as { $transaction?: unknown }).$transaction === "function";

/** Sends what was just recorded when `db` is not a transaction (nothing to wait for); a caller's transaction sends after its commit. */
export async function sendIfCommitted(db: Client, ids: string[], now: Date): Promise<void> {
  if (ids.length && isClient(db)) await deliverNotifications(db as Parameters<typeof deliverNotifications>[0], ids, undefined, now);
}

async function packName(db: Client, packId: string): Promise<string> {
  return (await db.extrasPack.findUnique({ where: { id: packId }, select: { name: true } }))?.name ?? "Extras pack";
}

export async function recordPackReceipt(
  db: Client,
  r: { workspaceId: string; sessionId: string; packId: string; units: string; amountCents: number; currency: string; now: Date },
): Promise<string | null> {
  return recordLifecycleEmail(db, {
    workspaceId: r.workspaceId, kind: "pack_receipt", dedupeKey: `pack_receipt:${r.sessionId}`, now: r.now,
    data: { packName: await packName(db, r.packId), units: r.units, amount: { cents: r.amountCents, currency: r.currency }, paidAt: r.now.toISOString(), reference: r.sessionId },
  });
}

export async function recordAutoTopUpOutcome(
  db: Client,
  r: { workspaceId: string; attemptId: string; packId: string; now: Date } & (
    | { status: "succeeded"; units: string; amountCents: number; currency: string }
    | { status: "failed"; error: string | null }
  ),
): Promise<string | null> {
  const name = await packName(db, r.packId);
  if (r.status === "succeeded") {
    return recordLifecycleEmail(db, {
      workspaceId: r.workspaceId, kind: "auto_top_up_succeeded", dedupeKey: `auto_top_up:${r.attemptId}`, now: r.now,
      data: { packName: name, units: r.units, amount: { cents: r.amountCents, currency: r.currency }, paidAt: r.now.toISOString() },
    });
  }
  // Same key as success: an attempt ends once, and its first known outcome is the one told.
  return recordLifecycleEmail(db, {
    workspaceId: r.workspaceId, kind: "auto_top_up_failed", dedupeKey: `auto_top_up:${r.attemptId}`, now: r.now,
    data: { packName: name, error: r.error },
  });
}
