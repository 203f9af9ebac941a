import type { Tx } from "@/lib/db";

/**
 * A message to the workspace's owners and admins, written as a Notification row in the caller's transaction
 * (once per dedupeKey) and sent by the notification pipeline after commit (lib/billing/notify.ts: SMTP or the
 * console; the cron retries what failed). Returns the new row's id, or null when it was already written.
 */
export async function notifyOwners(tx: Tx, n: { workspaceId: string; kind: string; dedupeKey: string; subject: string; body: string; now: Date }): Promise<string | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "Notification" (id, "workspaceId", kind, subject, body, "dedupeKey", status, "createdAt")
    VALUES (${crypto.randomUUID()}, ${n.workspaceId}, ${n.kind}, ${n.subject}, ${n.body}, ${n.dedupeKey}, 'pending'::"NotificationStatus", ${n.now})
    ON CONFLICT ("workspaceId", "dedupeKey") DO NOTHING
    RETURNING id`;
  return rows[0]?.id ?? null;
}

/**
 * Something operators must look at (a dispute, an invoice Stripe could not finalise): one OperatorAlert row per
 * dedupeKey, which the operator console lists until it is resolved, and a line in the server log now.
 */
export async function alertOperators(tx: Tx, a: { kind: string; workspaceId: string | null; subjectId: string; message: string; dedupeKey: string; now: Date }): Promise<boolean> {
  const created = await tx.$executeRaw`
    INSERT INTO "OperatorAlert" (id, kind, "workspaceId", "subjectId", message, "dedupeKey", "createdAt")
    VALUES (${crypto.randomUUID()}, ${a.kind}, ${a.workspaceId}, ${a.subjectId}, ${a.message}, ${a.dedupeKey}, ${a.now})
    ON CONFLICT ("dedupeKey") DO NOTHING`;
  if (created) console.warn(`[operators] ${a.kind} workspace=${a.workspaceId ?? "-"} subject=${a.subjectId}: ${a.message}`);
  return created > 0;
}
