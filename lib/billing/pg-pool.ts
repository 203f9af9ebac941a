import type pg from "pg";
import type { Client } from "./client";
import { isTransaction } from "./client";

// The hot statement of metering can go straight to the pg pool under the Prisma client instead of through
// the client's query pipeline, which on these machines cost more CPU than the statement itself (about
// 1,000 vs 1,600 recordings/s over 100 workspaces). Same pool, same connections, same database: the
// client that creates the pool attaches it here. Without one, everything goes through Prisma.
// Inside a caller's transaction the statement always goes through that transaction.

const pools = new WeakMap<object, pg.Pool>();

/** Declares that `pool` is the pg pool `db` itself runs on (new PrismaPg(pool)). */
export function attachPgPool(db: Client, pool: pg.Pool): void {
  pools.set(db, pool);
}

export function pgPoolFor(db: Client): pg.Pool | undefined {
  return isTransaction(db) ? undefined : pools.get(db);
}

/**
 * Runs one statement of the hot path: through the attached pool (as a named prepared statement, so its
 * plan is reused) when there is one, else through the client. Parameters are $1..$n; cast them in SQL.
 */
export async function hotQuery<R extends object>(db: Client, name: string, text: string, values: unknown[]): Promise<R[]> {
  const pool = pgPoolFor(db);
  if (pool) return (await pool.query<R>({ name, text, values })).rows;
  return db.$queryRawUnsafe<R[]>(text, ...values);
}
