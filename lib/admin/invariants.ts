import { recordInvariantRun, type Client } from "@/lib/billing";
import { recordAudit } from "./audit";
import type { Operator } from "./operators";

/** The invariant checker's state: open violations (critical first) and when the books were last checked. */
export async function invariantStatus(db: Client, limit = 200) {
  const [open, lastRun] = await Promise.all([
    db.invariantViolation.findMany({ where: { resolvedAt: null }, orderBy: [{ severity: "asc" }, { lastSeenAt: "desc" }], take: limit }),
    db.cronRun.findFirst({ where: { route: "reconcile", finishedAt: { not: null } }, orderBy: { startedAt: "desc" }, select: { finishedAt: true } }),
  ]);
  const lastManual = await db.auditLog.findFirst({ where: { action: "invariants.checked" }, orderBy: { seq: "desc" }, select: { createdAt: true } });
  const times = [lastRun?.finishedAt, lastManual?.createdAt].filter((t): t is Date => !!t);
  return { open, lastCheckedAt: times.length ? new Date(Math.max(...times.map((t) => t.getTime()))) : null };
}

/** Runs the checker now over every workspace, as the reconcile cron does, and logs who asked. */
export async function runInvariantCheck(db: Client, op: Operator) {
  const r = await recordInvariantRun(db);
  await recordAudit(db, { kind: "operator", id: op.id, email: op.email }, {
    action: "invariants.checked", after: { critical: r.critical, warning: r.warning, opened: r.opened, resolved: r.resolved },
  });
  return r;
}
