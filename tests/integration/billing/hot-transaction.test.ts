import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUniqueViolation } from "@/lib/billing/db-errors";
import { inTransaction } from "@/lib/billing/client";
import { attachPgPool, hotTransaction, pgPoolFor } from "@/lib/billing/pg-pool";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { POOL, closeTestDb, fastTestDb } from "./helpers";

// Both ways a hot transaction runs: on the client's attached pool, and through Prisma when there is none.
const prismaOnly = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: POOL, connectionTimeoutMillis: 300_000 }) });
const admin = new pg.Pool({ connectionString: process.env.DATABASE_URL!, max: 1 });
const table = `hot_tx_${crypto.randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  await admin.query(`CREATE TABLE ${table} (k text PRIMARY KEY, n int NOT NULL DEFAULT 0)`);
});
afterAll(async () => {
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.end();
  await prismaOnly.$disconnect();
  await closeTestDb();
});

const count = async (prefix: string) => Number((await admin.query(`SELECT count(*) AS c FROM ${table} WHERE k LIKE $1`, [`${prefix}%`])).rows[0].c);

describe.each([
  ["on the attached pool", () => fastTestDb()],
  ["through Prisma", () => prismaOnly],
])("hotTransaction %s", (_, client) => {
  it("commits every statement together", async () => {
    const p = crypto.randomUUID();
    const out = await hotTransaction(client(), async (sql) => {
      await sql("hot_tx_put", `INSERT INTO ${table} (k) VALUES ($1)`, [`${p}-a`]);
      const rows = await sql<{ k: string }>("hot_tx_put_returning", `INSERT INTO ${table} (k) VALUES ($1) RETURNING k`, [`${p}-b`]);
      return rows.map((r) => r.k);
    });
    expect(out).toEqual([`${p}-b`]);
    expect(await count(p)).toBe(2);
  });

  it("rolls back everything when the work throws, and the connections stay usable", async () => {
    const p = crypto.randomUUID();
    // More failures than the pool has connections: a connection left inside a transaction would show here.
    const failures = await Promise.allSettled(
      Array.from({ length: POOL * 2 + 3 }, (_, i) =>
        hotTransaction(client(), async (sql) => {
          await sql("hot_tx_put", `INSERT INTO ${table} (k) VALUES ($1)`, [`${p}-${i}`]);
          throw new Error("changed my mind");
        }),
      ),
    );
    expect(failures.every((f) => f.status === "rejected" && (f.reason as Error).message === "changed my mind")).toBe(true);
    expect(await count(p)).toBe(0);
    await hotTransaction(client(), (sql) => sql("hot_tx_put", `INSERT INTO ${table} (k) VALUES ($1)`, [`${p}-after`]));
    expect(await count(p)).toBe(1);
  });

  it("a statement the database refuses undoes the earlier ones, and its code is recognised", async () => {
    const p = crypto.randomUUID();
    await hotTransaction(client(), (sql) => sql("hot_tx_put", `INSERT INTO ${table} (k) VALUES ($1)`, [`${p}-taken`]));
    const err = await hotTransaction(client(), async (sql) => {
      await sql("hot_tx_put", `INSERT INTO ${table} (k) VALUES ($1)`, [`${p}-new`]);
      await sql("hot_tx_put", `INSERT INTO ${table} (k) VALUES ($1)`, [`${p}-taken`]);
    }).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
    expect(await count(p)).toBe(1);
  });

  it("holds its row locks to the end: 60 parallel read-then-write increments lose none", async () => {
    const k = crypto.randomUUID();
    await admin.query(`INSERT INTO ${table} (k) VALUES ($1)`, [k]);
    await Promise.all(
      Array.from({ length: 60 }, () =>
        hotTransaction(client(), async (sql) => {
          const [row] = await sql<{ n: number }>("hot_tx_lock", `SELECT n FROM ${table} WHERE k = $1 FOR UPDATE`, [k]);
          await sql("hot_tx_set", `UPDATE ${table} SET n = $2::int WHERE k = $1`, [k, row!.n + 1]);
        }),
      ),
    );
    expect((await admin.query(`SELECT n FROM ${table} WHERE k = $1`, [k])).rows[0].n).toBe(60);
  });
});

describe("pgPoolFor", () => {
  it("finds the attached pool, none inside a transaction, and one attached after a first look", async () => {
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL!, max: 1 });
    const late = new PrismaClient({ adapter: new PrismaPg(pool) });
    try {
      expect(pgPoolFor(fastTestDb())).toBeInstanceOf(pg.Pool);
      expect(pgPoolFor(prismaOnly)).toBeUndefined();
      await inTransaction(fastTestDb(), async (tx) => expect(pgPoolFor(tx)).toBeUndefined());
      // The answer is remembered per client; attaching afterwards must still be seen.
      expect(pgPoolFor(late)).toBeUndefined();
      attachPgPool(late, pool);
      expect(pgPoolFor(late)).toBe(pool);
    } finally {
      await late.$disconnect();
      await pool.end();
    }
  });
});
