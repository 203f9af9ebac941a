import { adjustExtras, type Client } from "@/lib/billing";
import { inTransaction } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { refundExtrasPurchase } from "@/lib/payments";
import { recordAudit } from "./audit";
import type { Operator } from "./operators";

const actor = (op: Operator) => ({ kind: "operator" as const, id: op.id, email: op.email });

/**
 * An operator's signed correction of a workspace's extras, with its memo and optional expiry. The request id
 * (chosen when the form was rendered) is the idempotency key: a double submit is one adjustment. The audit
 * entry commits with the ledger entries or not at all.
 */
export async function operatorAdjustExtras(
  db: Client,
  op: Operator,
  input: { workspaceId: string; units: string; memo: string; expiresAt?: Date | null; requestId: string; now?: Date },
) {
  return inTransaction(db, async (tx) => {
    const r = await adjustExtras(tx, { workspaceId: input.workspaceId, units: input.units, idempotencyKey: `op_${input.requestId}`, memo: input.memo, expiresAt: input.expiresAt, now: input.now });
    if (r.created) {
      await recordAudit(tx, actor(op), {
        workspaceId: input.workspaceId, action: "extras.adjusted", subjectType: "adjustment", subjectId: `op_${input.requestId}`, memo: input.memo,
        before: { balance: r.balanceBefore }, after: { balance: r.balance, units: input.units, expiresAt: input.expiresAt ?? null },
      });
    }
    return r;
  });
}

/**
 * Refunds an extras purchase for a workspace (in full or in part). Stripe is called outside any transaction;
 * the audit entry is written in the transaction that applies the refund, once per refund (a double submit
 * returns the same refund and logs nothing new, also when both submits run at once).
 */
export async function operatorRefund(db: Client, op: Operator, input: { workspaceId: string; lotId: string; amountCents: number | null; refundRequestId: string }) {
  const lot = await db.extrasLot.findFirst({ where: { id: input.lotId, workspaceId: input.workspaceId }, select: { refundedCents: true, amountCents: true } });
  if (!lot) throw new AppError("not_found", "Purchase not found.", { field: "lotId" });
  return refundExtrasPurchase(db, input, async (tx, r) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`audit:extras.refunded:${r.refundId}`}))`;
    if (await tx.auditLog.count({ where: { action: "extras.refunded", subjectId: r.refundId } })) return;
    await recordAudit(tx, actor(op), {
      workspaceId: input.workspaceId, action: "extras.refunded", subjectType: "refund", subjectId: r.refundId,
      before: { refundedCents: lot.refundedCents, amountCents: lot.amountCents },
      after: { refundCents: r.amountCents, status: r.status, clawedUnits: r.clawedUnits, balance: r.balance },
    });
  });
}
