import { inTransaction, type Client } from "@/lib/db";
import { alertOperators } from "@/lib/payments/notices";
import { recordAudit } from "@/lib/admin/audit";
import { holdDeliveries } from "./endpoints";
import { postJson, type Post } from "./post";
import { webhookHeaders } from "./signature";

// The sender: claims due deliveries (each by one sender at a time, across instances: FOR UPDATE SKIP LOCKED
// plus a lease, so a sender that dies mid-way only delays its claims until the lease runs out), posts each
// event signed, and records every attempt. At least once: a delivery is marked delivered only after the
// receiver's 2xx, so a crash between the two means a redelivery with the same webhook-id.

/** Wait before attempt n+1 after attempt n failed (Standard Webhooks' suggested schedule), then every 10 h. */
export const BACKOFF_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000] as const;
/** A delivery failing for this long gives up, and its endpoint is disabled. */
export const GIVE_UP_MS = 3 * 24 * 3_600_000;
const BATCH = 200;
const CONCURRENCY = 32;
const TIMEOUT_MS = 10_000;

/**
 * How long a claim holds its deliveries: longer than the slowest batch can take (every round of `concurrency`
 * posts timing out) and the recording after it, so no other sender claims a delivery still being sent. A
 * sender that dies leaves its claims to the others after this.
 */
export const leaseMs = (batchSize: number, concurrency: number, timeoutMs: number) => Math.ceil(batchSize / concurrency) * timeoutMs + 30_000;
/** The lease of a run with the default options. */
export const LEASE_MS = leaseMs(BATCH, CONCURRENCY, TIMEOUT_MS);

export function nextDelay(attempts: number): number {
  return BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length) - 1] ?? BACKOFF_MS[0];
}

export interface DeliveryOptions {
  /** The clock (tests move it instead of sleeping). */
  now?: () => Date;
  batchSize?: number;
  concurrency?: number;
  /** ms since epoch: no new batch is claimed after it. */
  deadline?: number;
  timeoutMs?: number;
  post?: Post;
}

interface Claimed {
  id: string;
  attempts: number;
  dueSince: Date;
  eventId: string;
  type: string;
  workspaceId: string;
  workspaceExternalId: string | null;
  data: string;
  createdAt: string;
  endpointId: string;
  url: string;
  secret: string;
}

interface Outcome {
  claim: Claimed;
  ok: boolean;
  code: number | null;
  error: string | null;
  durationMs: number;
  at: Date;
}

/** The exact body of an event: the same bytes on every delivery and redelivery. */
export function eventBody(e: { eventId: string; type: string; createdAt: string; workspaceId: string; workspaceExternalId: string | null; data: string }): string {
  return `{"id":${JSON.stringify(e.eventId)},"type":${JSON.stringify(e.type)},"createdAt":${JSON.stringify(e.createdAt)},"workspace":${JSON.stringify({ id: e.workspaceId, externalId: e.workspaceExternalId })},"data":${e.data}}`;
}

async function claimDue(db: Client, now: Date, limit: number, holdMs: number): Promise<Claimed[]> {
  const lease = new Date(now.getTime() + holdMs);
  return db.$queryRaw<Claimed[]>`
    WITH due AS (
      SELECT d.id FROM "WebhookDelivery" d JOIN "WebhookEndpoint" e ON e.id = d."endpointId" AND e.enabled
      WHERE d.status = 'pending' AND d."nextAttemptAt" <= ${now} AND (d."leaseUntil" IS NULL OR d."leaseUntil" <= ${now})
      ORDER BY d."nextAttemptAt" LIMIT ${limit}
      FOR UPDATE OF d SKIP LOCKED
    ), claimed AS (
      UPDATE "WebhookDelivery" d SET "leaseUntil" = ${lease} FROM due WHERE d.id = due.id
      RETURNING d.id, d.attempts, d."dueSince", d."eventId", d."endpointId"
    )
    SELECT c.id, c.attempts, c."dueSince", c."eventId", ev.type, ev."workspaceId", ev."workspaceExternalId", ev.data::text AS data,
           to_char(ev."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt", c."endpointId", e.url, e.secret
    FROM claimed c JOIN "OutboxEvent" ev ON ev.id = c."eventId" JOIN "WebhookEndpoint" e ON e.id = c."endpointId"`;
}

async function send(claim: Claimed, opts: Required<Pick<DeliveryOptions, "timeoutMs" | "post">>, now: () => Date): Promise<Outcome> {
  const at = now();
  const started = performance.now();
  const body = eventBody(claim);
  try {
    // A redirect is not followed: it counts as a failure, like any answer outside 2xx.
    const res = await opts.post(claim.url, body, webhookHeaders(claim.secret, claim.eventId, body, at), opts.timeoutMs);
    const text = res.text;
    const ok = res.status >= 200 && res.status < 300;
    return { claim, ok, code: res.status, error: ok ? null : `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`, durationMs: Math.round(performance.now() - started), at };
  } catch (e) {
    const cause = e instanceof Error ? e.message || (e as NodeJS.ErrnoException).code || "connection failed" : String(e);
    return { claim, ok: false, code: null, error: cause.slice(0, 300), durationMs: Math.round(performance.now() - started), at };
  }
}

/** Writes a batch's outcomes: the deliveries' state and one WebhookAttempt each, in one transaction. */
async function record(db: Client, outcomes: Outcome[], now: Date): Promise<string[]> {
  const rows = outcomes.map((o) => {
    const attempts = o.claim.attempts + 1;
    const giveUp = !o.ok && now.getTime() - new Date(o.claim.dueSince).getTime() >= GIVE_UP_MS;
    const next = o.ok || giveUp ? null : new Date(o.at.getTime() + nextDelay(attempts)).toISOString();
    return { id: o.claim.id, status: o.ok ? "delivered" : giveUp ? "failed" : "pending", next, code: o.code, err: o.error, ms: o.durationMs, at: o.at.toISOString() };
  });
  const endpointIds = [...new Set(outcomes.map((o) => o.claim.endpointId))];
  await inTransaction(db, async (tx) => {
    // A delivery whose endpoint was disabled while it was being sent gets no next attempt, as holdDeliveries does.
    // The endpoints are locked first, so a disable committing meanwhile is waited for and then seen.
    await tx.$queryRaw`SELECT 1 FROM "WebhookEndpoint" WHERE id = ANY(${endpointIds}) FOR SHARE`;
    // An endpoint deleted while its deliveries were out took them with it: their attempts have nothing to belong to,
    // and the others' outcomes must still be written. The rest are locked against deletion (by an endpoint or an event) until this commits.
    const live = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "WebhookDelivery" WHERE id = ANY(${rows.map((r) => r.id)}) FOR KEY SHARE`;
    const kept = new Set(live.map((r) => r.id));
    const json = JSON.stringify(rows.filter((r) => kept.has(r.id)));
    await tx.$executeRaw`
      UPDATE "WebhookDelivery" d SET status = x.status, attempts = d.attempts + 1, "nextAttemptAt" = CASE WHEN e.enabled THEN x.next END, "leaseUntil" = NULL,
        "lastResponseCode" = x.code, "lastError" = x.err, "deliveredAt" = CASE WHEN x.status = 'delivered' THEN x.at END, "updatedAt" = x.at
      FROM jsonb_to_recordset(${json}::jsonb) AS x(id text, status text, next timestamp(3), code int, err text, at timestamp(3)), "WebhookEndpoint" e
      WHERE d.id = x.id AND d.status = 'pending' AND e.id = d."endpointId"`;
    await tx.$executeRaw`
      INSERT INTO "WebhookAttempt" ("deliveryId", "attemptedAt", "responseCode", error, "durationMs", "nextAttemptAt")
      SELECT x.id, x.at, x.code, x.err, x.ms, x.next FROM jsonb_to_recordset(${json}::jsonb) AS x(id text, at timestamp(3), code int, err text, ms int, next timestamp(3))`;
  });
  return outcomes.filter((_, i) => rows[i]!.status === "failed").map((o) => o.claim.endpointId);
}

/** After 3 days of failures: the endpoint stops receiving (its pending deliveries wait, unscheduled) and operators are told. */
export async function disableFailingEndpoint(db: Client, endpointId: string, now: Date): Promise<boolean> {
  const last = await db.webhookDelivery.findFirst({ where: { endpointId, status: "failed" }, orderBy: { updatedAt: "desc" }, select: { lastError: true } });
  const reason = `Deliveries failed for 3 days${last?.lastError ? ` (last: ${last.lastError.slice(0, 200)})` : ""}.`;
  return inTransaction(db, async (tx) => {
    const { count } = await tx.webhookEndpoint.updateMany({ where: { id: endpointId, enabled: true }, data: { enabled: false, disabledReason: reason, disabledAt: now } });
    if (count === 0) return false;
    await holdDeliveries(tx, endpointId);
    const ep = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, select: { url: true } });
    await alertOperators(tx, {
      kind: "webhook_endpoint_disabled", workspaceId: null, subjectId: endpointId, now,
      message: `Webhook endpoint ${ep.url} was disabled: ${reason} Fix it, then enable it in the console (its waiting deliveries resume).`,
      dedupeKey: `webhook_endpoint_disabled:${endpointId}:${now.toISOString()}`,
    });
    await recordAudit(tx, { kind: "system" }, { action: "webhook_endpoint.disabled", subjectType: "webhook_endpoint", subjectId: endpointId, after: { enabled: false, reason } });
    return true;
  });
}

async function inParallel<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

export interface DeliveryRunSummary {
  attempted: number;
  delivered: number;
  failed: number;
  gaveUp: number;
  endpointsDisabled: number;
}

/** Sends every due delivery, batch after batch, until none is due (or the deadline). */
export async function runDeliveries(db: Client, options: DeliveryOptions = {}): Promise<DeliveryRunSummary> {
  const now = options.now ?? (() => new Date());
  const opts = { timeoutMs: options.timeoutMs ?? TIMEOUT_MS, post: options.post ?? postJson };
  const batchSize = options.batchSize ?? BATCH;
  const concurrency = options.concurrency ?? CONCURRENCY;
  const hold = leaseMs(batchSize, concurrency, opts.timeoutMs);
  const summary: DeliveryRunSummary = { attempted: 0, delivered: 0, failed: 0, gaveUp: 0, endpointsDisabled: 0 };
  for (;;) {
    if (options.deadline !== undefined && Date.now() > options.deadline) break;
    const claims = await claimDue(db, now(), batchSize, hold);
    if (claims.length === 0) break;
    const outcomes = await inParallel(claims, concurrency, (c) => send(c, opts, now));
    const gaveUpOn = await record(db, outcomes, now());
    summary.attempted += outcomes.length;
    summary.delivered += outcomes.filter((o) => o.ok).length;
    summary.failed += outcomes.filter((o) => !o.ok).length;
    summary.gaveUp += gaveUpOn.length;
    for (const endpointId of new Set(gaveUpOn)) {
      if (await disableFailingEndpoint(db, endpointId, now())) summary.endpointsDisabled += 1;
    }
  }
  return summary;
}

/**
 * Events older than `before` go with their deliveries and attempts once every delivery succeeded; one still
 * retrying or given up stays in the console's log until it is delivered (a resend) or its endpoint is deleted.
 */
export async function pruneWebhookEvents(db: Client, before: Date, deadline: number): Promise<number> {
  let pruned = 0;
  // Each batch starts where the previous one ended: the events kept before it are not read again.
  let from: Date | undefined;
  for (;;) {
    const batch = await db.outboxEvent.findMany({
      where: { createdAt: { lt: before, ...(from ? { gte: from } : {}) }, deliveries: { none: { status: { not: "delivered" } } } },
      select: { id: true, createdAt: true }, take: 1000, orderBy: { createdAt: "asc" },
    });
    if (!batch.length) return pruned;
    from = batch[batch.length - 1]!.createdAt;
    // Checked again as it deletes: a resend that made one pending meanwhile keeps its event.
    pruned += (await db.outboxEvent.deleteMany({ where: { id: { in: batch.map((e) => e.id) }, deliveries: { none: { status: { not: "delivered" } } } } })).count;
    if (Date.now() > deadline) return pruned;
  }
}
