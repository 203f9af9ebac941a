import fs from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

// Database functions of the billing engine. Their readable source lives next to this file (record-usage.sql);
// the migration carries them in the form below because Prisma's migration runner splits a script at every
// semicolon, even inside quoted function bodies. So the body is written as a Unicode-escaped string
// (U&'...', with ";" as \003B and quotes doubled), which PostgreSQL reads back as exactly the source.
// lib/billing/sql-functions.test.ts fails when the newest migration carrying them and the source disagree.
// After editing a source: npx tsx lib/billing/sql-functions.ts >> prisma/migrations/<new>/migration.sql
// (preceded by a DROP FUNCTION of the old signature when the parameters changed).

export const SQL_SOURCES = ["record-usage.sql"] as const;
export const MIGRATION_MARKER = "-- billing functions (generated from lib/billing/*.sql by lib/billing/sql-functions.ts)";

export function readSqlSource(name: (typeof SQL_SOURCES)[number]): string {
  return fs.readFileSync(fileURLToPath(new URL(`./${name}`, import.meta.url)), "utf8");
}

/** One `CREATE OR REPLACE FUNCTION ... AS $fn$ body $fn$;` statement, rewritten without a literal semicolon inside. */
export function forPrismaMigrate(source: string): string {
  const match = /(CREATE OR REPLACE FUNCTION[\s\S]*?)AS \$fn\$([\s\S]*?)\$fn\$;/.exec(source);
  if (!match) throw new Error("expected CREATE OR REPLACE FUNCTION ... AS $fn$ ... $fn$;");
  const head = match[1]!.replace(/;/g, ",");
  const body = match[2]!.replace(/\\/g, "\\\\").replace(/'/g, "''").replace(/;/g, "\\003B");
  if (/;/.test(head)) throw new Error("function header must not contain semicolons");
  return `${head}AS U&'${body}';\n`;
}

export function migrationBlock(): string {
  return `${MIGRATION_MARKER}\n${SQL_SOURCES.map((s) => forPrismaMigrate(readSqlSource(s))).join("\n")}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.stdout.write(migrationBlock());
