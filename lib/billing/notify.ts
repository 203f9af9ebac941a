import type { Client } from "@/lib/db";

/** One message to the people who run a workspace's billing. */
export interface OutgoingMessage {
  to: string[];
  subject: string;
  text: string;
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
    await deliverEmail(await noticeEmail({ to: m.to, subject: m.subject, body: m.text }));
  },
};

/** A send claimed this long ago and never finished (a crashed instance) is tried again. */
const STALE_CLAIM_MS = 5 * 60_000;
const MAX_ATTEMPTS = 5;

/**
 * Sends the given notifications, each at most once at a time: a row is claimed (pending -> sending) by one
 * sender, then marked sent or failed with the error. Never throws: metering must not depend on a mail server.
 */
export async function deliverNotifications(db: Client, ids: string[], notifier: Notifier = emailNotifier, now = new Date()): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  for (const id of ids) {
    try {
      const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS);
      const claimed = await db.$queryRaw<{ id: string; workspaceId: string; subject: string; body: string }[]>`
        UPDATE "Notification" SET status = 'sending', "claimedAt" = ${now}, attempts = attempts + 1
        WHERE id = ${id} AND attempts < ${MAX_ATTEMPTS}
          AND (status IN ('pending', 'failed') OR (status = 'sending' AND "claimedAt" < ${staleBefore}))
        RETURNING id, "workspaceId", subject, body`;
      const n = claimed[0];
      if (!n) continue;
      try {
        await notifier.send({ to: await billingRecipients(db, n.workspaceId), subject: n.subject, text: n.body });
        await db.notification.update({ where: { id }, data: { status: "sent", sentAt: new Date(), error: null } });
        sent++;
      } catch (e) {
        failed++;
        await db.notification.update({ where: { id }, data: { status: "failed", error: String((e as Error)?.message ?? e).slice(0, 1000) } });
      }
    } catch (e) {
      failed++;
      console.error(`[notification] could not deliver ${id}:`, e);
    }
  }
  return { sent, failed };
}

/** For the cron: sends what is pending, retries failures and stale claims. Batched, oldest first. */
export async function deliverPendingNotifications(db: Client, opts: { limit?: number; notifier?: Notifier; now?: Date } = {}) {
  const now = opts.now ?? new Date();
  const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS);
  const due = await db.notification.findMany({
    where: {
      attempts: { lt: MAX_ATTEMPTS },
      OR: [{ status: "pending" }, { status: "failed" }, { status: "sending", claimedAt: { lt: staleBefore } }],
    },
    orderBy: { createdAt: "asc" },
    take: opts.limit ?? 100,
    select: { id: true },
  });
  const result = await deliverNotifications(db, due.map((d) => d.id), opts.notifier, now);
  return { picked: due.length, ...result };
}

async function billingRecipients(db: Client, workspaceId: string): Promise<string[]> {
  const members = await db.membership.findMany({
    where: { workspaceId, role: { in: ["OWNER", "ADMIN"] } },
    select: { user: { select: { email: true } } },
  });
  return members.map((m) => m.user.email);
}
