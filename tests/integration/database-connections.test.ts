import type pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { hotTransaction } from "@/lib/billing/throughput";
import { createDb, isDatabaseUnavailable, pgPoolOf } from "@/lib/db";

// A connection the database drops while the app holds it: what a restart of PostgreSQL does to every
// connection in use. Cutting the socket from this side runs the same code in pg as the server closing it.
const db = createDb(process.env.DATABASE_URL!, 1);
const pool = pgPoolOf(db)!;
afterAll(() => db.$disconnect());

// Waits by polling, not on the socket's 'close' event: an exception thrown inside that event (the defect this
// file is about) would stop the emit before a listener of ours ran.
async function cut(connection: pg.PoolClient) {
  const socket = (connection as unknown as { connection: { stream: import("node:net").Socket } }).connection.stream;
  socket.destroy();
  while (!socket.closed) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setImmediate(r));
}

let uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);
beforeEach(() => {
  uncaught = [];
  process.prependListener("uncaughtException", onUncaught);
});
afterEach(() => {
  process.removeListener("uncaughtException", onUncaught);
});

describe("a pooled connection dropped while in use", () => {
  it("fails its transaction as unavailable, raises nothing uncaught, and the pool goes on with a new connection", async () => {
    let held: pg.PoolClient | undefined;
    pool.once("acquire", (c: pg.PoolClient) => (held = c));
    const failure = await hotTransaction(db, async (tx) => {
      await tx.$queryRawUnsafe("SELECT 1");
      await cut(held!);
      return tx.$queryRawUnsafe("SELECT 2");
    }).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(failure)).toBe(true);
    expect(uncaught).toEqual([]);
    // The pool holds one connection: the dropped one must have been discarded for this to run.
    await expect(hotTransaction(db, (tx) => tx.$queryRawUnsafe<{ one: number }[]>("SELECT 1 AS one"))).resolves.toEqual([{ one: 1 }]);
  });

  it("dropped between two uses, it fails the next statement as unavailable and raises nothing uncaught", async () => {
    const connection = await pool.connect();
    await cut(connection);
    const failure = await connection.query("SELECT 1").catch((e: unknown) => e);
    connection.release(failure as Error);

    expect(isDatabaseUnavailable(failure)).toBe(true);
    expect(uncaught).toEqual([]);
    expect((await pool.query<{ two: number }>("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
  });
});
