import type pg from "pg";
import { pgPoolOf, type Client } from "@/lib/db";
import { coalesced, type Lane } from "./coalesce";

// The hot statement of metering can go straight to the pg pool under the Prisma client instead of through
// the client's query pipeline, which on these machines cost more CPU than the statement itself (about
// 1,000 vs 1,600 recordings/s over 100 workspaces). Same pool, same connections, same database: the
// client that creates the pool attaches it here. Without one, everything goes through Prisma.
// Inside a caller's transaction the statement always goes through that transaction.

// Prepared statements live in a session. PostgreSQL gives each connection its own; the embedded PGlite server
// serves every connection in one session, where two connections preparing the same name would collide. So each
// pooled connection prepares under its own suffix (same plans, same cost on PostgreSQL).
// The random part keeps names apart across module instances (bundles, test files) sharing that one session.
const connectionIds = new WeakMap<object, string>();
const instance = Math.random().toString(36).slice(2, 8);
let nextConnectionId = 0;

/**
 * Runs one statement of the hot path: through the attached pool (as a named prepared statement, so its
 * plan is reused) when there is one, else through the client. Parameters are $1..$n; cast them in SQL.
 * With a lane, concurrent calls of the statement may share one round trip (see coalesce.ts); only for
 * statements with scalar parameters.
 */
export async function hotQuery<R extends object>(db: Client, name: string, text: string, values: unknown[], lane?: Lane): Promise<R[]> {
  const pool = pgPoolOf(db);
  if (!pool) return db.$queryRawUnsafe<R[]>(text, ...values);
  if (lane) return coalesced<R>(pool, (n, t, v) => onPool(pool, n, t, v), lane, name, text, values);
  return onPool<R>(pool, name, text, values);
}

function connectionId(connection: pg.PoolClient): string {
  let id = connectionIds.get(connection);
  if (id === undefined) connectionIds.set(connection, (id = `${instance}_${nextConnectionId++}`));
  return id;
}

async function onPool<R extends object>(pool: pg.Pool, name: string, text: string, values: unknown[]): Promise<R[]> {
  const connection = await pool.connect();
  const id = connectionId(connection);
  try {
    const rows = (await connection.query<R>({ name: `${name}_${id}`, text, values })).rows;
    connection.release();
    return rows;
  } catch (e) {
    // An error the server reported (a unique violation on a replay, say) leaves the connection usable;
    // anything else (a dropped socket, a timeout) may not, so that connection is discarded.
    const reportedByServer = typeof (e as { severity?: unknown }).severity === "string" && !/^(08|57P0)/.test(String((e as { code?: unknown }).code));
    connection.release(reportedByServer ? undefined : e instanceof Error ? e : new Error(String(e)));
    throw e;
  }
}
