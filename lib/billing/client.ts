import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/db";

/** What billing functions accept: the app's client, or a transaction the caller already opened. */
export type Client = PrismaClient | Tx;

// A transaction waits for a pooled connection behind the hot path's single statements, so its wait is generous;
// the work inside is a handful of indexed statements.
const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

/**
 * Runs `fn` in a transaction: a new one on a client, or inline when `db` already is a transaction
 * (so a caller can fold billing writes into its own, e.g. a webhook applying its effects at once).
 */
export async function inTransaction<T>(db: Client, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const maybe = db as Partial<PrismaClient>;
  if (typeof maybe.$transaction === "function") return (db as PrismaClient).$transaction((tx) => fn(tx), TX_OPTIONS);
  return fn(db);
}

/** True when `db` is an open transaction (writes there commit or roll back with the caller's). */
export const isTransaction = (db: Client): boolean => typeof (db as Partial<PrismaClient>).$transaction !== "function";
