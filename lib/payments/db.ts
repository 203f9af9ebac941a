import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/db";

/** The app's client or a transaction the caller already opened. */
export type Client = PrismaClient | Tx;

// Payment effects get more time than the metering hot path: a webhook's effects commit together, and an operator
// change reads Stripe inside the console's transaction (a webhook reads Stripe before opening its own).
const TX_OPTIONS = { maxWait: 15_000, timeout: 45_000 } as const;

const isClient = (db: Client): db is PrismaClient => typeof (db as Partial<PrismaClient>).$transaction === "function";

/** Runs `fn` in a new transaction, or inline when `db` already is one (its writes then commit with the caller's). */
export async function withTransaction<T>(db: Client, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (isClient(db)) return db.$transaction((tx) => fn(tx), TX_OPTIONS);
  return fn(db);
}
