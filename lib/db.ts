import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";

export type Db = PrismaClient;
/** A client or an interactive transaction: what domain functions take to run their queries. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export function createDb(url: string, poolMax = 10): PrismaClient {
  // connectionTimeoutMillis bounds the wait for a pooled connection, so an outage fails fast.
  const adapter = new PrismaPg({ connectionString: url, max: poolMax, connectionTimeoutMillis: 5_000 });
  return new PrismaClient({ adapter });
}

// One client per process, kept on globalThis so dev hot reloads do not open new pools.
const holder = globalThis as unknown as { tallyDb?: PrismaClient };

export function db(): PrismaClient {
  holder.tallyDb ??= createDb(env().DATABASE_URL, env().DATABASE_POOL_MAX);
  return holder.tallyDb;
}
