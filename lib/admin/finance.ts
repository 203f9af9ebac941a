import type { Client } from "@/lib/billing";
import { csvField } from "@/lib/billing-views/ledger-csv";
import { AppError } from "@/lib/errors";

export const COST_CSV_HEADER = [
  "month", "workspace_id", "workspace_slug", "workspace_name", "feature", "events", "units", "priced_events", "cost_dollars", "input_tokens", "output_tokens",
] as const;

export interface MonthRange {
  from: Date; // first instant of the first month (UTC)
  to: Date; // first instant after the last month
  label: string; // "2026-11" or "2026-09_2026-11"
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
const MAX_MONTHS = 12;

/** "YYYY-MM" (and optionally a later "YYYY-MM") as a range of whole UTC months, at most a year. */
export function monthRange(fromText: string, toText?: string): MonthRange {
  const parse = (t: string, field: string) => {
    const m = MONTH_RE.exec(t);
    if (!m) throw new AppError("invalid_request", "Months are written YYYY-MM, like 2026-11.", { field });
    return { y: Number(m[1]), m: Number(m[2]) - 1 };
  };
  const a = parse(fromText, "from");
  const b = toText ? parse(toText, "to") : a;
  const months = (b.y - a.y) * 12 + (b.m - a.m) + 1;
  if (months < 1) throw new AppError("invalid_request", "The last month comes before the first.", { field: "to" });
  if (months > MAX_MONTHS) throw new AppError("invalid_request", `Export at most ${MAX_MONTHS} months at a time.`, { field: "to" });
  return {
    from: new Date(Date.UTC(a.y, a.m, 1)),
    to: new Date(Date.UTC(b.y, b.m + 1, 1)),
    label: months === 1 ? fromText : `${fromText}_${toText}`,
  };
}

interface CostRow {
  month: Date;
  workspaceId: string;
  feature: string;
  events: bigint;
  units: string;
  pricedEvents: bigint;
  dollars: string | null;
  inputTokens: string | null;
  outputTokens: string | null;
}

/**
 * Cost against units per workspace, month and metered feature, as CSV lines (header first, CRLF-ended).
 * Workspaces are read in id order, `batch` at a time, and each batch's events through the (workspaceId,
 * createdAt) index, so an export over many workspaces and events runs in constant memory with no scan of
 * the whole event table. Dollars are those stored on each event when it was priced (past usage keeps its
 * price); usage sent as units has no dollars (priced_events counts those that have).
 */
export async function* costCsv(db: Client, range: MonthRange, opts: { batch?: number } = {}): AsyncGenerator<string> {
  yield `${COST_CSV_HEADER.join(",")}\r\n`;
  const batch = opts.batch ?? 500;
  let after = "";
  for (;;) {
    const workspaces = await db.workspace.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: batch, select: { id: true, slug: true, name: true } });
    if (!workspaces.length) return;
    after = workspaces[workspaces.length - 1]!.id;
    const rows = await db.$queryRaw<CostRow[]>`
      SELECT date_trunc('month', e."createdAt") AS month, e."workspaceId", e.feature,
        count(*) AS events, sum(e.units)::text AS units, count(e."costDollars") AS "pricedEvents", sum(e."costDollars")::text AS dollars,
        sum(t.input)::text AS "inputTokens", sum(t.output)::text AS "outputTokens"
      FROM "UsageEvent" e
      JOIN "UsageWindow" w ON w.id = e."windowId" AND w.kind = 'meter'
      LEFT JOIN LATERAL (
        SELECT sum((x->>'input')::numeric) AS input, sum((x->>'output')::numeric) AS output FROM jsonb_array_elements(e."costTokens") x
      ) t ON e."costTokens" IS NOT NULL
      WHERE e."workspaceId" = ANY(${workspaces.map((w) => w.id)}) AND e."createdAt" >= ${range.from} AND e."createdAt" < ${range.to}
      GROUP BY 1, 2, 3
      ORDER BY 2, 1, 3`;
    if (!rows.length) continue;
    const byId = new Map(workspaces.map((w) => [w.id, w]));
    yield rows
      .map((r) => {
        const w = byId.get(r.workspaceId)!;
        return `${[
          csvField(r.month.toISOString().slice(0, 7)),
          csvField(w.id, { text: true }),
          csvField(w.slug, { text: true }),
          csvField(w.name, { text: true }),
          csvField(r.feature, { text: true }),
          String(r.events),
          trimZeros(r.units),
          String(r.pricedEvents),
          trimZeros(r.dollars ?? "0"),
          trimZeros(r.inputTokens ?? "0"),
          trimZeros(r.outputTokens ?? "0"),
        ].join(",")}\r\n`;
      })
      .join("");
  }
}

/** A NUMERIC's text without trailing zeros after the point ("12.500000" -> "12.5"). */
const trimZeros = (v: string) => (v.includes(".") ? v.replace(/0+$/, "").replace(/\.$/, "") : v);
