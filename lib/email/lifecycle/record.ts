import type { Tx } from "@/lib/db";
import { lifecycleSubject, type LifecycleData, type LifecycleKind } from "./kinds";

type Runner = Pick<Tx, "$queryRaw">;

/**
 * Records a lifecycle email for the workspace's owners and admins: one Notification row per (workspace,
 * dedupeKey), written in the caller's transaction so it exists exactly when its cause committed. It is sent
 * after commit (lib/billing/notify.ts, the cron retries what failed). Returns the new row's id, or null when
 * this cause was already recorded (a replayed webhook, a second cron run).
 */
export async function recordLifecycleEmail<K extends LifecycleKind>(
  tx: Runner,
  n: { workspaceId: string; kind: K; data: LifecycleData[K]; dedupeKey: string; now: Date },
): Promise<string | null> {
  const ws = await tx.$queryRaw<{ name: string }[]>`SELECT name FROM "Workspace" WHERE id = ${n.workspaceId}`;
  const subject = lifecycleSubject(n.kind, n.data, ws[0]?.name ?? "Your workspace");
  const rows = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "Notification" (id, "workspaceId", kind, subject, body, data, "dedupeKey", status, "createdAt")
    VALUES (${crypto.randomUUID()}, ${n.workspaceId}, ${n.kind}, ${subject}, ${subject}, ${JSON.stringify(n.data)}::jsonb, ${n.dedupeKey}, 'pending'::"NotificationStatus", ${n.now})
    ON CONFLICT ("workspaceId", "dedupeKey") DO NOTHING
    RETURNING id`;
  return rows[0]?.id ?? null;
}

