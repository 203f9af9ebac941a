import { inTransaction, type Client } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";

/** One message to the people who run a workspace's billing. */
export interface OutgoingMessage {
  to: string[];
  subject: string;
  text: string;
  /** The notification's kind and facts: a lifecycle kind (lib/email/lifecycle) is rendered by its own template. */
  kind?: string;
  data?: unknown;
  workspace?: { name: string; slug: string };
}

/** Where notifications go: email (lib/email: SMTP when SMTP_URL is set, the console otherwise), or a test double. */
export interface Notifier {
  send(message: OutgoingMessage): Promise<void>;
}

/** Sends each notification as an email through the app's one mail sender; a refused send throws, so it is retried. */
export const emailNotifier: Notifier = {
  async send(m) {
    // Loaded on first use: the metering routes should not load the email templates until a threshold is crossed.
    const { deliverEmail, noticeEmail } = await import("@/lib/email");
    const { isLifecycleKind } = await import("@/lib/email/lifecycle/kinds");
    if (m.kind && m.data && m.workspace && isLifecycleKind(m.kind)) {
      const { renderLifecycleEmail } = await import("@/lib/email/lifecycle/render");
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the row's data was written for its kind
      await deliverEmail(await renderLifecycleEmail(m.kind, m.data as any, { to: m.to, workspaceName: m.workspace.name, slug: m.workspace.slug }));
      return;
    }
    await deliverEmail(await noticeEmail({ to: m.to, subject: m.subject, body: m.text }));
  },
};

/** A send claimed this long ago and never finished (a crashed instance) is tried again. */
const STALE_CLAIM_MS = 5 * 60_000;
const MAX_ATTEMPTS = 5;
/**
 * Threshold notices: after one is sent, a workspace's next ones wait this long and then go out together,
 * so a burst of crossings (both thresholds, several features, concurrent requests) sends one email.
 * The reset-windows cron (every 15 minutes) sends what waited.
 */
export const THRESHOLD_COOLDOWN_MS = 15 * 60_000;

interface Claimed {
  id: string;
  workspaceId: string;
  kind: string;
  subject: string;
  body: string;
  data: unknown;
}

/**
 * Sends the given notifications, each at most once at a time: a row is claimed (pending -> sending) by one
 * sender, then marked sent or failed with the error. Threshold notices of a workspace are claimed together
 * and sent as one email, unless one went out within the cooldown (they then stay pending for the cron).
 * Never throws: metering and payments must not depend on a mail server.
 */
export async function deliverNotifications(db: Client, ids: string[], notifier: Notifier = emailNotifier, now = new Date()): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  const thresholdWorkspaces = new Set<string>();
  for (const id of ids) {
    try {
      const row = await db.notification.findUnique({ where: { id }, select: { kind: true, workspaceId: true } });
      if (!row) continue;
      let batch: Claimed[];
      if (row.kind === "threshold") {
        if (thresholdWorkspaces.has(row.workspaceId)) continue;
        thresholdWorkspaces.add(row.workspaceId);
        batch = await claimThresholds(db, row.workspaceId, now);
      } else {
        batch = await claim(db, id, now);
      }
      if (!batch.length) continue;
      const ok = await send(db, batch, notifier, now);
      if (ok) sent += batch.length;
      else failed += batch.length;
    } catch (e) {
      failed++;
      console.error(`[notification] could not deliver ${id}:`, e);
    }
  }
  return { sent, failed };
}

const staleBefore = (now: Date) => new Date(now.getTime() - STALE_CLAIM_MS);

/**
 * A notification that may be sent now (as SQL over the table's own columns): waiting, failed, or claimed and forgotten.
 * The attempt limit is written as a literal: the due-notification indexes hold only rows with `attempts < 5 AND
 * status <> 'sent'`, and the planner uses them only when it can prove that from the query's own condition.
 */
const claimable = (now: Date) => Prisma.sql`attempts < ${Prisma.raw(String(MAX_ATTEMPTS))}
  AND (status IN ('pending', 'failed') OR (status = 'sending' AND "claimedAt" < ${staleBefore(now)}))`;

async function claim(db: Client, id: string, now: Date): Promise<Claimed[]> {
  return db.$queryRaw<Claimed[]>`
    UPDATE "Notification" SET status = 'sending', "claimedAt" = ${now}, attempts = attempts + 1
    WHERE id = ${id} AND ${claimable(now)}
    RETURNING id, "workspaceId", kind, subject, body, data`;
}

/**
 * True (as SQL) while the workspace's threshold notices wait: one was sent within the cooldown, or is being sent.
 * `workspace` is the SQL of its id (a value, or a column of the query this goes into).
 */
const coolingDown = (workspace: Prisma.Sql, now: Date) => Prisma.sql`EXISTS (
  SELECT 1 FROM "Notification" c
  WHERE c."workspaceId" = ${workspace} AND c.kind = 'threshold'
    AND ((c.status = 'sent' AND c."sentAt" > ${new Date(now.getTime() - THRESHOLD_COOLDOWN_MS)})
      OR (c.status = 'sending' AND c."claimedAt" >= ${staleBefore(now)})))`;

/**
 * Claims every threshold notice of the workspace that is due, unless one was sent within the cooldown or is
 * being sent now. Under a per-workspace advisory lock, so two requests crossing at once claim one batch.
 */
async function claimThresholds(db: Client, workspaceId: string, now: Date): Promise<Claimed[]> {
  return inTransaction(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`threshold-notice:${workspaceId}`}))`;
    const [{ cooling }] = await tx.$queryRaw<[{ cooling: boolean }]>`SELECT ${coolingDown(Prisma.sql`${workspaceId}`, now)} AS cooling`;
    if (cooling) return [];
    return tx.$queryRaw<Claimed[]>(claimThresholdsSql(workspaceId, now));
  });
}

/** Claims the workspace's due threshold notices: read through its due rows only, however many were sent before. */
export const claimThresholdsSql = (workspaceId: string, now: Date) => Prisma.sql`
  UPDATE "Notification" SET status = 'sending', "claimedAt" = ${now}, attempts = attempts + 1
  WHERE "workspaceId" = ${workspaceId} AND kind = 'threshold' AND ${claimable(now)}
  RETURNING id, "workspaceId", kind, subject, body, data`;

/** Sends one message for a claimed batch (one row, or a workspace's threshold notices) and records the outcome. */
async function send(db: Client, batch: Claimed[], notifier: Notifier, now: Date): Promise<boolean> {
  const first = batch[0]!;
  const ids = batch.map((b) => b.id);
  try {
    const [to, workspace] = await Promise.all([
      billingRecipients(db, first.workspaceId),
      db.workspace.findUnique({ where: { id: first.workspaceId }, select: { name: true, slug: true } }),
    ]);
    const sorted = [...batch].sort((a, b) => a.subject.localeCompare(b.subject, "en", { numeric: true }));
    const message: OutgoingMessage = first.kind === "threshold"
      ? {
          to, kind: "threshold", workspace: workspace ?? undefined,
          subject: batch.length === 1 ? first.subject : `${workspace?.name ?? "Your workspace"}: ${batch.length} usage alerts`,
          text: sorted.map((b) => b.body).join("\n\n"),
          data: { items: sorted.map((b) => ({ subject: b.subject, body: b.body })) },
        }
      : { to, kind: first.kind, workspace: workspace ?? undefined, subject: first.subject, text: first.body, data: first.data ?? undefined };
    await notifier.send(message);
    await db.notification.updateMany({ where: { id: { in: ids } }, data: { status: "sent", sentAt: now, error: null } });
    return true;
  } catch (e) {
    await db.notification.updateMany({ where: { id: { in: ids } }, data: { status: "failed", error: String((e as Error)?.message ?? e).slice(0, 1000) } });
    return false;
  }
}

/** For the cron: sends what is pending, retries failures and stale claims. Batched, oldest first. */
export async function deliverPendingNotifications(db: Client, opts: { limit?: number; notifier?: Notifier; now?: Date } = {}) {
  const now = opts.now ?? new Date();
  const due = await db.$queryRaw<{ id: string }[]>(dueNotificationsSql(now, opts.limit ?? 100));
  const result = await deliverNotifications(db, due.map((d) => d.id), opts.notifier, now);
  return { picked: due.length, ...result };
}

/**
 * The oldest notifications that may be sent now, read through the due rows only: the sent and the given-up ones
 * (however many) are not read. Threshold notices waiting out their workspace's cooldown are not due: picked, they
 * would only be skipped, and enough of them would keep every newer message (a receipt, a dunning notice) out of each run.
 */
export const dueNotificationsSql = (now: Date, limit: number) => Prisma.sql`
  SELECT n.id FROM "Notification" n
  WHERE ${claimable(now)}
    AND NOT (n.kind = 'threshold' AND ${coolingDown(Prisma.sql`n."workspaceId"`, now)})
  ORDER BY n."createdAt"
  LIMIT ${limit}`;

/** The workspace's owners and admins whose address is verified: mail to an unproven address could reach a stranger. */
async function billingRecipients(db: Client, workspaceId: string): Promise<string[]> {
  const members = await db.membership.findMany({
    where: { workspaceId, role: { in: ["OWNER", "ADMIN"] }, user: { emailVerified: { not: null } } },
    select: { user: { select: { email: true } } },
    orderBy: { createdAt: "asc" },
  });
  return members.map((m) => m.user.email);
}
