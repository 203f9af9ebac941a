import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Client } from "@/lib/db";
import { inTransaction } from "@/lib/db";
import { recordAudit } from "@/lib/admin/audit";
import { hashPayload } from "@/lib/billing/validation";
import { isUniqueViolation } from "@/lib/billing/db-errors";
import { AppError } from "@/lib/errors";
import { EVENT_TYPE_LIST, isWebhookEventType } from "./event-types";
import { newEndpointSecret } from "./signature";

// Endpoints are the platform's (one integrating backend hears about every workspace); operators manage them
// in the console and the integrating backend with a platform key, through the same functions (one rule), each
// change audited in its own transaction.

export const endpointInput = z.object({
  url: z.string().trim().max(2000).refine((u) => {
    try {
      const p = new URL(u).protocol;
      return p === "https:" || p === "http:";
    } catch {
      return false;
    }
  }, "Enter an http(s) URL."),
  description: z.string().trim().max(200).nullish(),
  eventTypes: z.array(z.string()).min(1, "Choose at least one event type.").refine((ts) => ts.every(isWebhookEventType), "Unknown event type."),
});

/** Who changes an endpoint: an operator (the console) or a platform key (the API, kind "api", no email). */
export interface EndpointActor {
  kind?: "operator" | "api";
  id: string;
  email: string | null;
}

const actor = (who: EndpointActor) => ({ kind: who.kind ?? ("operator" as const), id: who.id, email: who.email });
const view = (e: { id: string; url: string; description?: string | null; eventTypes: string[]; enabled: boolean }) => ({
  url: e.url, ...(e.description !== undefined ? { description: e.description } : {}), eventTypes: e.eventTypes, enabled: e.enabled,
});
const byWhom = (who: EndpointActor) => who.email ?? "a platform key";

function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new AppError("invalid_request", parsed.error.issues[0]!.message, { field: String(parsed.error.issues[0]!.path[0] ?? "url") });
  return parsed.data;
}

/**
 * Creates an endpoint; the returned secret is the only time it is shown. With an idempotency key (the API's,
 * scoped by its platform key), a retry with the same input answers as the creation did (the same endpoint and
 * secret, created once) and another input under the key is idempotency_conflict.
 */
export async function createEndpoint(db: Client, who: EndpointActor, input: z.input<typeof endpointInput>, opts: { idempotencyKey?: string } = {}) {
  const { url, description, eventTypes } = parseInput(endpointInput, input);
  const types = EVENT_TYPE_LIST.filter((t) => eventTypes.includes(t));
  const requestHash = hashPayload({ url, description: description || null, eventTypes: types });
  const key = opts.idempotencyKey === undefined ? null : `${who.id}:${opts.idempotencyKey}`;
  const replay = async () => {
    const e = key === null ? null : await db.webhookEndpoint.findUnique({ where: { idempotencyKey: key } });
    if (!e) return null;
    if (e.requestHash !== requestHash) throw new AppError("idempotency_conflict", "This idempotency key was already used with a different request.", { idempotencyKey: opts.idempotencyKey });
    return { endpoint: e, secret: e.secret, created: false };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  const secret = newEndpointSecret();
  try {
    return await inTransaction(db, async (tx) => {
      const endpoint = await tx.webhookEndpoint.create({
        data: {
          id: `we_${randomBytes(12).toString("hex")}`, url, description: description || null, eventTypes: types, secret,
          createdById: who.id, createdByEmail: who.email, idempotencyKey: key, requestHash: key === null ? null : requestHash,
        },
      });
      await recordAudit(tx, actor(who), { action: "webhook_endpoint.created", subjectType: "webhook_endpoint", subjectId: endpoint.id, after: view(endpoint) });
      return { endpoint, secret, created: true };
    });
  } catch (e) {
    // A concurrent retry with the same key created it first.
    if (!isUniqueViolation(e)) throw e;
    const raced = await replay();
    if (!raced) throw e;
    return raced;
  }
}

/** What may change on an endpoint; an omitted field stays as it is. Validated as at creation. */
export const endpointPatch = endpointInput.partial().extend({ enabled: z.boolean().optional() });

/**
 * Changes an endpoint's url, description, event types or enabled state (enabling restarts the retry clock
 * of the deliveries that waited, as in setEndpointEnabled). Audited with the fields before and after.
 */
export async function updateEndpoint(db: Client, who: EndpointActor, id: string, input: z.input<typeof endpointPatch>, now = new Date()) {
  const patch = parseInput(endpointPatch, input);
  return inTransaction(db, async (tx) => {
    const before = await getEndpoint(tx, id);
    const enabling = patch.enabled === true && !before.enabled;
    const disabling = patch.enabled === false && before.enabled;
    const after = await tx.webhookEndpoint.update({
      where: { id },
      data: {
        ...(patch.url !== undefined ? { url: patch.url } : {}),
        ...(patch.description !== undefined ? { description: patch.description || null } : {}),
        ...(patch.eventTypes !== undefined ? { eventTypes: EVENT_TYPE_LIST.filter((t) => patch.eventTypes!.includes(t)) } : {}),
        ...(enabling ? { enabled: true, disabledReason: null, disabledAt: null } : {}),
        ...(disabling ? { enabled: false, disabledReason: `Disabled by ${byWhom(who)}.`, disabledAt: now } : {}),
      },
    });
    if (enabling) await resumeDeliveries(tx, id, now);
    if (disabling) await holdDeliveries(tx, id);
    await recordAudit(tx, actor(who), { action: "webhook_endpoint.updated", subjectType: "webhook_endpoint", subjectId: id, before: view(before), after: view(after) });
    return { endpoint: after, enabled: enabling };
  });
}

async function getEndpoint(db: Client, id: string) {
  const e = await db.webhookEndpoint.findUnique({ where: { id } });
  if (!e) throw new AppError("not_found", "Webhook endpoint not found.");
  return e;
}

/** One endpoint without its secret; not_found when there is none. */
export async function endpointById(db: Client, id: string) {
  const e = await db.webhookEndpoint.findUnique({ where: { id }, omit: { secret: true } });
  if (!e) throw new AppError("not_found", "Webhook endpoint not found.");
  return e;
}

/**
 * A disabled endpoint's pending deliveries wait with no next attempt, so the sender's look-up of due deliveries
 * never reads them, however many pile up. In the transaction that disables it.
 */
export async function holdDeliveries(tx: Client, endpointId: string) {
  await tx.webhookDelivery.updateMany({ where: { endpointId, status: "pending" }, data: { nextAttemptAt: null } });
}

/** Enabled again: the deliveries that waited are due now, and their 3-day retry clock restarts. */
async function resumeDeliveries(tx: Client, endpointId: string, now: Date) {
  await tx.webhookDelivery.updateMany({ where: { endpointId, status: "pending" }, data: { dueSince: now, nextAttemptAt: now } });
}

/** Enables or disables. Enabling restarts the 3-day retry clock of the deliveries that waited. */
export async function setEndpointEnabled(db: Client, op: EndpointActor, id: string, enabled: boolean, now = new Date()) {
  return inTransaction(db, async (tx) => {
    const before = await getEndpoint(tx, id);
    if (before.enabled === enabled) return before;
    const after = await tx.webhookEndpoint.update({
      where: { id }, data: enabled ? { enabled, disabledReason: null, disabledAt: null } : { enabled, disabledReason: `Disabled by ${byWhom(op)}.`, disabledAt: now },
    });
    if (enabled) await resumeDeliveries(tx, id, now);
    else await holdDeliveries(tx, id);
    await recordAudit(tx, actor(op), { action: enabled ? "webhook_endpoint.enabled" : "webhook_endpoint.disabled", subjectType: "webhook_endpoint", subjectId: id, before: view(before), after: view(after) });
    return after;
  });
}

/** Deletes an endpoint with its deliveries and attempts (the events stay in the outbox). */
export async function deleteEndpoint(db: Client, op: EndpointActor, id: string) {
  await inTransaction(db, async (tx) => {
    const before = await getEndpoint(tx, id);
    await tx.webhookEndpoint.delete({ where: { id } });
    await recordAudit(tx, actor(op), { action: "webhook_endpoint.deleted", subjectType: "webhook_endpoint", subjectId: id, before: view(before) });
  });
}

/** Sends the delivery again now, with the same webhook-id, whatever its state; the retry clock restarts. */
export async function resendDelivery(db: Client, op: EndpointActor, deliveryId: string, now = new Date()) {
  return inTransaction(db, async (tx) => {
    // The endpoint is locked before its state is read, so a disable committing meanwhile is waited for and then
    // seen: a resend never schedules a delivery of an endpoint that is disabled (see holdDeliveries).
    const [d] = await tx.$queryRaw<{ enabled: boolean; status: string; attempts: number; eventId: string }[]>`
      SELECT e.enabled, d.status, d.attempts, d."eventId" FROM "WebhookEndpoint" e JOIN "WebhookDelivery" d ON d."endpointId" = e.id
      WHERE d.id = ${deliveryId} FOR SHARE OF e`;
    if (!d) throw new AppError("not_found", "Delivery not found.");
    if (!d.enabled) throw new AppError("invalid_request", "The endpoint is disabled: enable it first, then resend.");
    await tx.webhookDelivery.update({ where: { id: deliveryId }, data: { status: "pending", nextAttemptAt: now, dueSince: now, leaseUntil: null } });
    await recordAudit(tx, actor(op), { action: "webhook_delivery.resent", subjectType: "webhook_delivery", subjectId: deliveryId, before: { status: d.status, attempts: d.attempts } });
    return { eventId: d.eventId };
  });
}

/** Every endpoint without its secret, newest first. */
export function listEndpoints(db: Client) {
  return db.webhookEndpoint.findMany({ orderBy: { createdAt: "desc" }, omit: { secret: true } });
}

/**
 * Every endpoint with how many of its deliveries are pending, delivered and failed, for the console. The counts
 * read every delivery kept (30 days, see the prune cron), so the API's list, which does not show them, does not ask.
 */
export async function listEndpointsWithCounts(db: Client) {
  const [endpoints, failing] = await Promise.all([listEndpoints(db), db.webhookDelivery.groupBy({ by: ["endpointId", "status"], _count: { _all: true } })]);
  return endpoints.map((e) => {
    const count = (status: string) => failing.find((f) => f.endpointId === e.id && f.status === status)?._count._all ?? 0;
    return { ...e, pending: count("pending"), delivered: count("delivered"), failed: count("failed") };
  });
}

/** One endpoint with its newest deliveries, each with every attempt. */
export async function endpointDeliveries(db: Client, id: string, limit = 50, status?: string) {
  const endpoint = await db.webhookEndpoint.findUnique({ where: { id }, omit: { secret: true } });
  if (!endpoint) return null;
  const deliveries = await db.webhookDelivery.findMany({
    where: { endpointId: id, ...(status ? { status } : {}) }, orderBy: { createdAt: "desc" }, take: limit,
    include: { event: { select: { type: true, workspaceId: true, createdAt: true } }, attemptLog: { orderBy: { attemptedAt: "asc" } } },
  });
  return { endpoint, deliveries };
}

/** Deliveries that are failing now (retrying after at least one failed attempt) or gave up: the overview's figure. */
export async function failingDeliveries(db: Client): Promise<number> {
  return db.webhookDelivery.count({ where: { OR: [{ status: "failed" }, { status: "pending", attempts: { gt: 0 } }] } });
}
