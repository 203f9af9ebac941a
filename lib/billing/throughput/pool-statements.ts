import type pg from "pg";
import { inTransaction, pgPoolOf, type Client } from "@/lib/db";
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

/** The raw statements a transaction of the hot path runs; a transaction of the client has them too. */
export interface RawTx {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/**
 * Runs `fn` in one transaction on the attached pool, without the client's query pipeline: a batch of a
 * thousand events sends its decisions and answers as one large parameter, which cost the pipeline more CPU
 * than the database spends writing them. Without a pool, or inside a caller's transaction, through
 * inTransaction as usual.
 */
export async function hotTransaction<T>(db: Client, fn: (tx: RawTx) => Promise<T>): Promise<T> {
  const pool = pgPoolOf(db);
  if (!pool) return inTransaction(db, fn);
  const connection = await pool.connect();
  const tx: RawTx = {
    $queryRawUnsafe: async <R>(query: string, ...values: unknown[]) => (await connection.query(query, values)).rows as R,
    $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await connection.query(query, values)).rowCount ?? 0,
  };
  try {
    await connection.query("BEGIN");
    const result = await fn(tx);
    await connection.query("COMMIT");
    connection.release();
    return result;
  } catch (e) {
    // Rolled back, the connection goes back to the pool; one that cannot even roll back is discarded.
    await connection.query("ROLLBACK").then(
      () => connection.release(),
      (lost: unknown) => connection.release(lost instanceof Error ? lost : new Error(String(lost))),
    );
    throw e;
  }
}
