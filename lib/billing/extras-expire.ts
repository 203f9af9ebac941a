import type { Client, Tx } from "@/lib/db";
import { inTransaction } from "@/lib/db";
import { appendEntries, lockExtrasAccount, type LedgerEntryOut } from "./extras-ledger";

type Account = Awaited<ReturnType<typeof lockExtrasAccount>>;
import { toDec } from "./units";

/**
 * Expires lots past their expiry: each lot gets expiredAt and, when it still held units, one expiration
 * entry for exactly its positive remainder. A negative remainder is debt a refund left that no credit has
 * paid yet: expiry does not forgive it, it stays on the lot until the next credit settles it (see
 * settleDebts), and since debt is settled from every spendable lot first, expiring a remainder never takes
 * units that already paid a debt. Runs per workspace under the account lock, and claims a lot only while
 * expiredAt is unset, so two runs at the same time write one entry per lot; the entry's cause is the lot
 * itself ("expiry", lotId), which the ledger's unique constraint holds to one as well.
 * Batched: call again while `more` is true.
 */
export async function expireLots(
  db: Client,
  opts: { now?: Date; limit?: number; workspaceId?: string; cronRunId?: string } = {},
): Promise<{ lotsExpired: number; entries: LedgerEntryOut[]; more: boolean }> {
  const now = opts.now ?? new Date();
  const limit = opts.limit ?? 500;
  const due = await db.extrasLot.findMany({
    where: { expiredAt: null, expiresAt: { lte: now }, ...(opts.workspaceId ? { workspaceId: opts.workspaceId } : {}) },
    orderBy: [{ expiresAt: "asc" }, { id: "asc" }],
    take: limit,
    select: { id: true, workspaceId: true },
  });
  const byWorkspace = new Map<string, string[]>();
  for (const l of due) byWorkspace.set(l.workspaceId, [...(byWorkspace.get(l.workspaceId) ?? []), l.id]);
  let lotsExpired = 0;
  const entries: LedgerEntryOut[] = [];
  for (const [workspaceId, lotIds] of byWorkspace) {
    const r = await inTransaction(db, async (tx) => {
      const account = await lockExtrasAccount(tx, workspaceId);
      return closeExpiredLots(tx, account, { workspaceId, lotIds, now, memo: opts.cronRunId ? `cron run ${opts.cronRunId}` : null });
    });
    lotsExpired += r.count;
    entries.push(...r.entries);
  }
  return { lotsExpired, entries, more: due.length === limit };
}

/**
 * Closes those of `lotIds` that are past their expiry and not closed yet, under the account lock the caller
 * holds: expiredAt set, and one expiration entry for a positive remainder. The expiry run uses it, and so do a
 * refund and a dispute of a lot past its expiry (so what they take back does not depend on whether the run came
 * first: expired units are never clawed back or frozen again).
 */
export async function closeExpiredLots(tx: Tx, account: Account, input: { workspaceId: string; lotIds: string[]; now: Date; memo?: string | null }) {
  const { workspaceId, lotIds, now } = input;
  const claimed = await tx.$queryRaw<{ id: string; remaining: string }[]>`
    UPDATE "ExtrasLot" SET "expiredAt" = ${now}
    WHERE id = ANY(${lotIds}::text[]) AND "workspaceId" = ${workspaceId} AND "expiredAt" IS NULL AND "expiresAt" <= ${now}
    RETURNING id, remaining::text AS remaining`;
  const drafts = claimed
    .filter((l) => toDec(l.remaining).gt(0))
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((l) => ({ lotId: l.id, kind: "expiration" as const, units: toDec(l.remaining).neg(), causeType: "expiry" as const, causeId: l.id, memo: input.memo ?? null }));
  return { count: claimed.length, entries: await appendEntries(tx, account, drafts, now) };
}
