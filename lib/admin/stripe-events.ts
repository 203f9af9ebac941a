import type { Client } from "@/lib/billing";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { processStripeEvent } from "@/lib/payments";
import { recordAudit } from "./audit";
import type { Operator } from "./operators";

export type EventStatus = "received" | "processed" | "failed";

/** Stripe events as received, newest first; keyset paged on (receivedAt, id). */
export async function listStripeEvents(db: Client, input: { status?: EventStatus; type?: string; before?: { at: Date; id: string }; limit?: number }) {
  const limit = input.limit ?? 50;
  const rows = await db.stripeEvent.findMany({
    where: {
      ...(input.status ? { status: input.status } : {}),
      ...(input.type ? { type: input.type } : {}),
      ...(input.before ? { OR: [{ receivedAt: { lt: input.before.at } }, { receivedAt: input.before.at, id: { lt: input.before.id } }] } : {}),
    },
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: { id: true, type: true, status: true, attempts: true, lastError: true, receivedAt: true, processedAt: true },
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { events: page, next: rows.length > limit && last ? `${last.receivedAt.toISOString()}~${last.id}` : null };
}

/** "2026-12-02T10:00:00.000Z~evt_..." back into a cursor; null when malformed. */
export function parseEventCursor(value: string | undefined): { at: Date; id: string } | undefined {
  const m = value ? /^(\d{4}-\d\d-\d\dT[\d:.]+Z)~(evt_[A-Za-z0-9_]{1,100})$/.exec(value) : null;
  if (!m) return undefined;
  const at = new Date(m[1]!);
  return Number.isNaN(at.getTime()) ? undefined : { at, id: m[2]! };
}

export async function stripeEventDetail(db: Client, id: string) {
  return db.stripeEvent.findUnique({ where: { id } });
}

/**
 * Applies a stored event again, as the reconcile cron does for failed ones: an event already processed is
 * never applied twice (the answer says so). Logged in the audit log with its outcome.
 */
export async function replayStripeEvent(db: PrismaClient, op: Operator, id: string) {
  const row = await db.stripeEvent.findUnique({ where: { id } });
  if (!row) throw new AppError("not_found", "Event not found.");
  const before = { status: row.status, attempts: row.attempts, lastError: row.lastError };
  const out = await processStripeEvent(db, row.payload as unknown as Parameters<typeof processStripeEvent>[1]);
  const after = await db.stripeEvent.findUniqueOrThrow({ where: { id }, select: { status: true, attempts: true, lastError: true } });
  await recordAudit(db, { kind: "operator", id: op.id, email: op.email }, {
    action: "stripe_event.replayed", subjectType: "stripe_event", subjectId: id, before, after: { ...after, outcome: out.outcome },
  });
  return out;
}
