import type { Client } from "@/lib/billing";
import { inTransaction } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "./audit";
import type { Operator } from "./operators";

/** What operators were told and have not dealt with yet (disputes, invoices Stripe could not finalise), newest first. */
export async function openAlerts(db: Client, limit = 50) {
  return db.operatorAlert.findMany({ where: { resolvedAt: null }, orderBy: { createdAt: "desc" }, take: limit });
}

/** Marks an alert dealt with, logged with the operator in the same transaction. Resolving it twice changes nothing. */
export async function resolveAlert(db: Client, op: Operator, id: string, now = new Date()) {
  return inTransaction(db, async (tx) => {
    const alert = await tx.operatorAlert.findUnique({ where: { id } });
    if (!alert) throw new AppError("not_found", "Alert not found.");
    const { count } = await tx.operatorAlert.updateMany({ where: { id, resolvedAt: null }, data: { resolvedAt: now } });
    if (count === 1) {
      await recordAudit(tx, { kind: "operator", id: op.id, email: op.email }, {
        workspaceId: alert.workspaceId, action: "alert.resolved", subjectType: alert.kind, subjectId: alert.subjectId, after: { message: alert.message },
      });
    }
    return { resolved: count === 1 };
  });
}
