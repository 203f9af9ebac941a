import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";

export type Db = PrismaClient;
/** An open interactive transaction: its statements commit or roll back together. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
/** What domain functions take to run their queries: the app's client, or a transaction the caller opened. */
export type Client = PrismaClient | Tx;

// A transaction may wait for a pooled connection behind metering's single statements, so its wait is
// generous; the work inside is a handful of indexed statements.
const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

/**
 * The one way to run statements together: a new transaction on a client, or `fn` inline when `db` already
 * is a transaction (so a caller can fold its writes into its own, e.g. a webhook applying its effects).
 */
export async function inTransaction<T>(db: Client, fn: (tx: Tx) => Promise<T>, opts: { snapshot?: boolean } = {}): Promise<T> {
  if (isTransaction(db)) return fn(db);
  // `snapshot`: every statement reads the database as of the first (REPEATABLE READ), for reads that must agree.
  return (db as PrismaClient).$transaction((tx) => fn(tx), opts.snapshot ? { ...TX_OPTIONS, isolationLevel: "RepeatableRead" } : TX_OPTIONS);
}

/** True when `db` is an open transaction (writes there commit or roll back with the caller's). */
export const isTransaction = (db: Client): db is Tx => typeof (db as Partial<PrismaClient>).$transaction !== "function";

// The pg pool a client runs on, kept on the client under a registered symbol (the app's bundles may each
// hold their own instance of this module around the one client). Only metering's throughput module reads
// it, to send its hot statements on the same connections without the client's query pipeline.
const POOL = Symbol.for("tally.pgPool");

/** The pg pool under `db` (createDb's clients), or undefined for a transaction or a client made elsewhere. */
export function pgPoolOf(db: Client): pg.Pool | undefined {
  return isTransaction(db) ? undefined : (db as { [POOL]?: pg.Pool })[POOL];
}

export interface DbTimeouts {
  /** Longest wait for a pooled connection (a new one or a free one), in ms. */
  connectMs: number;
  /** Longest a statement may run on the server before PostgreSQL cancels it, in ms. */
  statementMs: number;
}

export const DEFAULT_DB_TIMEOUTS: DbTimeouts = { connectMs: 3_000, statementMs: 15_000 };

export function createDb(url: string, poolMax = 10, timeouts: DbTimeouts = DEFAULT_DB_TIMEOUTS): PrismaClient {
  // Both bounds exist so an outage is noticed in seconds and answered 503 instead of requests piling up:
  // connectionTimeoutMillis covers a database that is down or a pool that is exhausted, statement_timeout
  // a database that accepts connections but no longer answers (a stuck lock, a failing disk).
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    keepAlive: true,
    // Scripts and tests end once their queries are done instead of waiting out idle connections.
    allowExitOnIdle: true,
  });
  // A connection the server drops (a restart, a failover, DROP DATABASE ... WITH (FORCE)) emits 'error'; with
  // no listener Node makes it an uncaught exception, thrown inside the socket's events (cutting short their
  // other listeners). pg-pool listens only while a connection is idle, and re-emits it on the pool, so each
  // connection gets a listener of its own for its whole life, and the pool's is silent (one line per loss).
  // pg has already failed the connection's statements and marked it unusable: a caller holding it learns of
  // it from its statement, and the pool discards it.
  pool.on("connect", (connection) => connection.on("error", (e) => console.error(`[db] connection lost: ${e.message}`)));
  pool.on("error", () => {});
  const client = new PrismaClient({ adapter: new PrismaPg(pool) });
  Object.defineProperty(client, POOL, { value: pool, enumerable: false });
  return client;
}

// One client per process, kept on globalThis so dev hot reloads do not open new pools.
const holder = globalThis as unknown as { tallyDb?: PrismaClient };

export function db(): PrismaClient {
  const e = env();
  holder.tallyDb ??= createDb(e.DATABASE_URL, e.DATABASE_POOL_MAX, { connectMs: e.DATABASE_CONNECT_TIMEOUT_MS, statementMs: e.DATABASE_STATEMENT_TIMEOUT_MS });
  return holder.tallyDb;
}

// PostgreSQL codes that mean "the database is not there right now", not "this request is wrong":
// class 08 (connection exception), 53300 too many connections, 57014 canceled by statement_timeout,
// 57P01-57P03 shut down or starting up.
const UNAVAILABLE_PG = /^(08...|53300|57014|57P0[123])$/;
// What the adapter reports for the same, and Prisma's own codes for unreachable, timed out or closed.
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TlsConnectionError"]);
const UNAVAILABLE_PRISMA = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);
const UNAVAILABLE_SOCKET = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);
// pg's own messages for a dropped connection or an exhausted wait, which carry no code.
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Can't reach database server/i;

/**
 * True when a failure came from the database being unreachable, shutting down or too slow, whichever layer
 * (Prisma, the adapter, pg) raised it. Callers answer these with 503 and Retry-After: the request was not
 * applied (or is safe to replay with its idempotency key), unlike a bug, which stays a 500.
 */
export function isDatabaseUnavailable(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== "object" || depth > 5) return false;
  const err = e as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } }; cause?: unknown };
  const adapterCause = err.meta?.driverAdapterError?.cause;
  if (typeof adapterCause?.kind === "string" && UNAVAILABLE_KINDS.has(adapterCause.kind)) return true;
  if (typeof adapterCause?.originalCode === "string" && UNAVAILABLE_PG.test(adapterCause.originalCode)) return true;
  if (typeof err.code === "string" && (UNAVAILABLE_PRISMA.has(err.code) || UNAVAILABLE_SOCKET.has(err.code) || UNAVAILABLE_PG.test(err.code))) return true;
  if (typeof err.message === "string" && UNAVAILABLE_MESSAGE.test(err.message)) return true;
  return isDatabaseUnavailable(err.cause, depth + 1);
}
