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
