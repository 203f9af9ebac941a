import type { Client } from "@/lib/billing";
import type { Prisma } from "@/lib/generated/prisma/client";

export type ActorKind = "operator" | "member" | "system" | "api";

export interface Actor {
  kind: ActorKind;
  id?: string | null;
  email?: string | null;
}

export interface AuditEntry {
  workspaceId?: string | null;
  action: string;
  subjectType?: string;
  subjectId?: string;
  before?: unknown;
  after?: unknown;
  memo?: string | null;
}

/**
 * JSON for the log: Decimals and Dates become strings, undefined becomes null. An unpaired UTF-16 surrogate
 * becomes U+FFFD, as a text column stores it: jsonb refuses one, and the entry must never fail its change.
 */
const asJson = (v: unknown): Prisma.InputJsonValue | undefined =>
  v === undefined || v === null
    ? undefined
    : (JSON.parse(JSON.stringify(v), (_, x: unknown) => (typeof x === "string" ? x.toWellFormed() : x)) as Prisma.InputJsonValue);

/** Appends one entry. Pass the transaction of the change it records, so both commit or neither does. */
export async function recordAudit(tx: Client, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorKind: actor.kind, actorId: actor.id ?? null, actorEmail: actor.email ?? null,
      workspaceId: entry.workspaceId ?? null, action: entry.action,
      subjectType: entry.subjectType ?? null, subjectId: entry.subjectId ?? null,
      before: asJson(entry.before), after: asJson(entry.after), memo: entry.memo ?? null,
    },
  });
}

const MAX_SEQ = 2n ** 63n - 1n;

/** The audit log's page cursor from a query value: a sequence number PostgreSQL's bigint holds, else none. */
export function parseAuditCursor(value: string | undefined): bigint | undefined {
  if (!value || !/^\d{1,19}$/.test(value)) return undefined;
  const seq = BigInt(value);
  return seq <= MAX_SEQ ? seq : undefined;
}

export interface AuditFilter {
  workspaceId?: string;
  action?: string;
  actor?: string; // email, exact
  before?: bigint; // keyset cursor: entries with a smaller seq
}

/** Newest first, `limit` at a time; `next` is the cursor of the following page. Indexed on (filter, seq). */
export async function listAudit(db: Client, filter: AuditFilter, limit = 50) {
  const rows = await db.auditLog.findMany({
    where: {
      ...(filter.workspaceId ? { workspaceId: filter.workspaceId } : {}),
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.actor ? { actorEmail: filter.actor.toLowerCase() } : {}),
      ...(filter.before !== undefined ? { seq: { lt: filter.before } } : {}),
    },
    orderBy: { seq: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return { entries: page, next: rows.length > limit ? page[page.length - 1]!.seq : null };
}
