import type pg from "pg";
import { createDb, pgPoolOf } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";

export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * The app's client on a pool of its own that keeps every statement it sends, with the very text and
 * values Prisma wrote, so a test can ask PostgreSQL how it runs what a function really asked.
 */
export function recordingDb(): { db: PrismaClient; pool: pg.Pool; statements: Statement[]; close: () => Promise<void> } {
  const db = createDb(process.env.DATABASE_URL!, 1, { connectMs: 300_000, statementMs: 60_000 });
  const pool = pgPoolOf(db)!;
  const statements: Statement[] = [];
  // On each connection as it opens: statements inside a transaction go through its connection, not the pool.
  pool.on("connect", (client) => {
    const send = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const [config, values] = args;
      if (config && typeof config === "object" && "text" in config) {
        const c = config as { text: string; values?: unknown[] };
        statements.push({ text: c.text, values: c.values ?? (Array.isArray(values) ? values : []) });
      }
      return send(...args);
    }) as typeof client.query;
  });
  return { db, pool, statements, close: async () => { await db.$disconnect(); await pool.end(); } };
}

export interface ScanRead {
  node: string;
  index?: string;
  /** The index condition, as EXPLAIN prints it. */
  cond?: string;
  /** Rows the scan produced plus rows it read and dropped, over all its loops (0 without ANALYZE). */
  rows: number;
}

/** The nodes of an EXPLAIN (FORMAT JSON) result (as the driver returns it) for which `keep` holds. */
export function planNodes(raw: unknown, keep: (node: Record<string, unknown>) => boolean): ScanRead[] {
  const [{ Plan }] = (typeof raw === "string" ? JSON.parse(raw) : raw) as [{ Plan: Record<string, unknown> }];
  const found: ScanRead[] = [];
  const walk = (node: Record<string, unknown>) => {
    if (keep(node)) {
      const n = (key: string) => Number(node[key] ?? 0);
      const perLoop = n("Actual Rows") + n("Rows Removed by Filter") + n("Rows Removed by Index Recheck");
      found.push({ node: String(node["Node Type"]), index: node["Index Name"] as string | undefined, cond: node["Index Cond"] as string | undefined, rows: perLoop * Math.max(1, n("Actual Loops")) });
    }
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk(Plan);
  return found;
}

/** Each scan of `table` in the plan `statement` ran with (EXPLAIN ANALYZE: a read-only statement only). */
export async function scansOf(pool: pg.Pool, statement: Statement, table: string): Promise<ScanRead[]> {
  const { rows } = await pool.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`, statement.values);
  return planNodes(rows[0]!["QUERY PLAN"], (node) => node["Relation Name"] === table);
}

/** The statements `run` sent that read `table`, each with its scans of it. */
export async function tableReads(recorder: ReturnType<typeof recordingDb>, table: string, run: (db: PrismaClient) => Promise<unknown>) {
  recorder.statements.length = 0;
  await run(recorder.db);
  const touching = recorder.statements.filter((s) => s.text.includes(`"${table}"`));
  const out: (Statement & { scans: ScanRead[] })[] = [];
  for (const s of touching) out.push({ ...s, scans: await scansOf(recorder.pool, s, table) });
  return out;
}
