import { inTransaction, type Client } from "@/lib/db";
import { AppError } from "@/lib/errors";

export interface UsageEventItem {
  id: string;
  feature: string;
  /** Exact decimal strings, as the engine keeps them. */
  units: string;
  quotaUnits: string;
  extrasUnits: string;
  idempotencyKey: string;
  metadata: Record<string, unknown> | null;
  /** When the usage happened (a backdated event's timestamp): the window it counts in holds it. */
  timestamp: string;
  /** When Tally recorded it. */
  createdAt: string;
}

const encodeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`, "utf8").toString("base64url");

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const at = new Date(iso ?? "");
  if (!id || !EVENT_ID.test(id) || !inRange(at)) throw new AppError("invalid_request", "cursor: not a cursor this API gave.", { field: "cursor" });
  return { at, id };
}

// An event's id as this API writes them (a uuid or a cuid): anything else in a cursor was not given by it.
const EVENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

// The years of four digits that an ISO 8601 time writes without a sign, which is all an event's time can be.
const EARLIEST = Date.parse("0001-01-01T00:00:00Z");
const LATEST = Date.parse("9999-12-31T23:59:59.999Z");
const inRange = (d: Date) => d.getTime() >= EARLIEST && d.getTime() <= LATEST;

function timeBound(field: "from" | "to", d: Date | undefined): Date | undefined {
  if (d !== undefined && !inRange(d)) throw new AppError("invalid_request", `${field}: a time from year 1 to 9999.`, { field });
  return d;
}

/**
 * A workspace's usage events, newest first, `limit` at a time (keyset pages on (createdAt, id), which the
 * (workspaceId, createdAt) index serves), optionally of one feature and within [from, to). The column
 * createdAt is when the usage happened (the API's timestamp); recordedAt, when a backdated event arrived.
 */
export async function listUsageEvents(
  db: Client,
  input: { workspaceId: string; feature?: string; from?: Date; to?: Date; cursor?: string; limit: number },
): Promise<{ data: UsageEventItem[]; nextCursor: string | null }> {
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const from = timeBound("from", input.from);
  const to = timeBound("to", input.to);
  // A feature's events are also asked for by their windows (an event's window is of its feature): no index
  // has feature, and the (workspaceId, windowId) one finds a rarely used feature's few events directly. Both
  // reads in one snapshot: a period reset moving events into new windows between them would hide those.
  const rows = await inTransaction(db, async (tx) => {
    const windows = input.feature ? await tx.usageWindow.findMany({ where: { workspaceId: input.workspaceId, feature: input.feature }, select: { id: true } }) : [];
    return tx.usageEvent.findMany({
      where: {
        workspaceId: input.workspaceId,
        ...(input.feature ? { feature: input.feature, windowId: { in: windows.map((w) => w.id) } } : {}),
        AND: [
          from ? { createdAt: { gte: from } } : {},
          to ? { createdAt: { lt: to } } : {},
          // The bound beside the OR selects nothing more: it starts the index at the cursor, not at the newest event.
          after ? { createdAt: { lte: after.at }, OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] } : {},
        ],
      },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: input.limit + 1,
      select: { id: true, feature: true, units: true, quotaUnits: true, extrasUnits: true, idempotencyKey: true, metadata: true, createdAt: true, recordedAt: true },
    });
  }, { snapshot: true });
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    data: page.map((r) => ({
      id: r.id, feature: r.feature, units: r.units.toFixed(), quotaUnits: r.quotaUnits.toFixed(), extrasUnits: r.extrasUnits.toFixed(),
      idempotencyKey: r.idempotencyKey, metadata: (r.metadata as Record<string, unknown> | null) ?? null,
      timestamp: r.createdAt.toISOString(), createdAt: (r.recordedAt ?? r.createdAt).toISOString(),
    })),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}
