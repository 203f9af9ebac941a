import type { Client } from "@/lib/db";

const FAILED_SHOWN_DAYS = 30;

export interface PurchaseInProgress {
  id: string;
  packName: string;
  amountCents: number;
  currency: string;
  status: "processing" | "failed";
  failureMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Pack purchases the extras page must mention: bank debits still on their way, and those that failed lately. */
export async function purchasesInProgress(db: Client, workspaceId: string, now = new Date()): Promise<PurchaseInProgress[]> {
  const since = new Date(now.getTime() - FAILED_SHOWN_DAYS * 86_400_000);
  const rows = await db.extrasPurchase.findMany({
    where: { workspaceId, OR: [{ status: "processing" }, { status: "failed", updatedAt: { gte: since } }] },
    orderBy: { createdAt: "desc" },
    take: 20,
  });
  const packs = new Map((await db.extrasPack.findMany({ where: { id: { in: rows.map((r) => r.packId) } }, select: { id: true, name: true } })).map((p) => [p.id, p.name]));
  return rows.map((r) => ({
    id: r.id,
    packName: packs.get(r.packId) ?? "Extras pack",
    amountCents: r.amountCents,
    currency: r.currency,
    status: r.status === "failed" ? "failed" : "processing",
    failureMessage: r.failureMessage,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }));
}

/** Disputes of the workspace's pack purchases that are not settled yet, by lot: what each froze. */
export async function openDisputesByLot(db: Client, workspaceId: string): Promise<Map<string, { frozenUnits: string; openedAt: Date }>> {
  const rows = await db.dispute.findMany({ where: { workspaceId, closedAt: null, lotId: { not: null } }, select: { lotId: true, frozenUnits: true, createdAt: true } });
  return new Map(rows.map((r) => [r.lotId!, { frozenUnits: r.frozenUnits.toString(), openedAt: r.createdAt }]));
}
