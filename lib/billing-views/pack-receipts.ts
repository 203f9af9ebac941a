import type { Client } from "@/lib/db";
import { formatUnits } from "@/lib/billing/units";

/** A paid pack (checkout or auto top-up), shown with the invoices: packs are paid at once and have receipts, not invoices. */
export interface PackReceiptRow {
  id: string;
  packName: string;
  units: string;
  amountCents: number;
  refundedCents: number;
  currency: string;
  paidAt: Date;
  /** How it was bought. */
  via: "checkout" | "auto top-up";
  /** The Stripe reference to quote to support (checkout session or payment intent). */
  reference: string;
}

/** The workspace's pack purchases, newest first. */
export async function listPackReceipts(db: Client, workspaceId: string, limit = 100): Promise<PackReceiptRow[]> {
  const lots = await db.extrasLot.findMany({
    where: { workspaceId, source: "topup", amountCents: { gt: 0 } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { id: true, packId: true, units: true, amountCents: true, refundedCents: true, currency: true, createdAt: true, checkoutSessionId: true, paymentIntentId: true, sourceRef: true },
  });
  const packIds = [...new Set(lots.map((l) => l.packId).filter((id): id is string => !!id))];
  const packs = new Map((await db.extrasPack.findMany({ where: { id: { in: packIds } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]));
  return lots.map((l) => ({
    id: l.id,
    packName: (l.packId && packs.get(l.packId)) || "Extras pack",
    units: formatUnits(l.units),
    amountCents: l.amountCents ?? 0,
    refundedCents: l.refundedCents,
    currency: l.currency ?? "usd",
    paidAt: l.createdAt,
    via: l.checkoutSessionId ? "checkout" : "auto top-up",
    reference: l.checkoutSessionId ?? l.paymentIntentId ?? l.sourceRef,
  }));
}
