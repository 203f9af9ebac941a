import fs from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";

// The engine's database functions live in one readable source file next to this one (record-usage.sql). Prisma's
// migration runner splits a script at every semicolon, even inside a function's body, so instead of carrying an
// escaped copy in a migration, deploying applies the source itself after the migrations, every time: each
// function is CREATE OR REPLACE, so applying it again changes nothing, and the database always runs exactly
// the source of the release being deployed.

// The outgoing webhooks' trigger functions (lib/webhooks/outbox.sql) and the API keys' last-used update
// (lib/api-keys/last-used.sql) are applied the same way.
export const SQL_SOURCES = [
  new URL("./record-usage.sql", import.meta.url),
  new URL("../webhooks/outbox.sql", import.meta.url),
  new URL("../api-keys/last-used.sql", import.meta.url),
];

export function readSqlSource(source: URL): string {
  return fs.readFileSync(fileURLToPath(source), "utf8");
}

/** Installs (or replaces) every function of the sources in the database at `url`, in one transaction. */
export async function applySqlFunctions(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // The simple query protocol sends the file whole; the server, not a client-side splitter, reads its dollar quotes.
    await client.query(`BEGIN;\n${SQL_SOURCES.map(readSqlSource).join("\n")}\nCOMMIT;`);
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}
