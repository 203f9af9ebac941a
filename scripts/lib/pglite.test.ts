import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./pglite";

let server: EmbeddedPostgres;
beforeAll(async () => {
  server = await startEmbeddedPostgres({ maxConnections: 10 });
}, 60_000);
afterAll(() => server?.stop());

it("answers each connection's queries with its own rows while others send theirs", async () => {
  const clients = await Promise.all(
    [0, 1, 2, 3].map(async () => {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      return c;
    }),
  );
  // A large parameter reaches the server in several reads: another connection's statement must not land
  // between its Parse and its Bind (the unnamed statement is the session's, and every connection shares it).
  const big = "x".repeat(300_000);
  const answers: unknown[] = [];
  const failures: string[] = [];
  try {
    await Promise.all(
      clients.map(async (c, k) => {
        for (let i = 0; i < 150; i++) {
          const q = k % 2 ? c.query("SELECT length($1::text) AS n, $2::text AS who, $3::int AS i", [big, `c${k}`, i]) : c.query("SELECT $1::text AS who, $2::int AS i", [`c${k}`, i]);
          await q.then(
            (r) => answers.push(r.rows[0]),
            (e: Error) => failures.push(e.message),
          );
          const want = k % 2 ? { n: 300_000, who: `c${k}`, i } : { who: `c${k}`, i };
          if (answers.length && JSON.stringify(answers.at(-1)) !== JSON.stringify(want)) failures.push(`c${k} got ${JSON.stringify(answers.at(-1))}`);
          answers.length = 0;
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  expect(failures).toEqual([]);
}, 60_000);

it("goes on serving the others when a connection leaves in the middle of a transaction", async () => {
  const a = new pg.Client({ connectionString: server.url });
  const b = new pg.Client({ connectionString: server.url });
  await Promise.all([a.connect(), b.connect()]);
  a.on("error", () => {}); // its own connection, cut below
  await a.query("BEGIN");
  await a.query("CREATE TABLE left_open (n int)");
  const waiting = b.query("SELECT 1 AS one");
  a.connection.stream.destroy();
  // The transaction is rolled back (its table is gone), and the query that waited for it is answered.
  expect((await waiting).rows).toEqual([{ one: 1 }]);
  expect((await b.query("SELECT to_regclass('left_open') AS t")).rows).toEqual([{ t: null }]);
  await b.end();
}, 30_000);

it("goes on serving the others when a connection leaves a failed statement without its Sync", async () => {
  const a = new pg.Client({ connectionString: server.url });
  const b = new pg.Client({ connectionString: server.url });
  await Promise.all([a.connect(), b.connect()]);
  a.on("error", () => {});
  // A Parse that fails puts the session in "skip until Sync"; this connection leaves before sending one.
  const failed = new Promise((resolve) => a.connection.once("errorMessage", resolve));
  a.connection.parse({ text: "SELEC broken", name: "", types: [] }, false);
  a.connection.flush();
  await failed;
  a.connection.stream.destroy();
  // Its cycle is ended for it: the next connection's statement runs instead of being skipped.
  expect((await b.query("SELECT $1::int AS one", [1])).rows).toEqual([{ one: 1 }]);
  await b.end();
}, 30_000);
