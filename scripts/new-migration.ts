// Writes the next migration: the SQL that takes the schema as of the last committed migration
// to prisma/schema.prisma. (`prisma migrate dev` needs a shadow database, which the JS schema
// engine cannot reach through an external pool, so the diff is taken between two schema files.)
// Usage: npm run db:migration -- <name>     Commit the schema and its migration together.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const name = process.argv[2]?.replace(/[^a-z0-9_]+/gi, "_");
if (!name) {
  console.error("usage: npm run db:migration -- <name>");
  process.exit(1);
}
const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
const lastCommit = git("log", "-1", "--format=%H", "--", "prisma/migrations");
const oldSchema = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tally-schema-")), "schema.prisma");
fs.writeFileSync(oldSchema, git("show", `${lastCommit}:prisma/schema.prisma`));

const from = ["--from-schema-datamodel", oldSchema];
const sql = execFileSync("npx", ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", "prisma/schema.prisma", "--script"], {
  encoding: "utf8",
  env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  console.log("schema.prisma matches the last migration; nothing to write");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join("prisma/migrations", `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "migration.sql"), sql);
console.log(`wrote ${dir}/migration.sql; apply it with npm run db:deploy`);
