import fs from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { forPrismaMigrate } from "@/lib/billing/sql-functions";

// The outbox triggers' readable source is outbox.sql (functions) and triggers.sql (the CREATE TRIGGERs); the
// migration carries the functions Unicode-escaped (see lib/billing/sql-functions.ts for why).
// After editing outbox.sql: npx tsx lib/webhooks/sql.ts functions >> prisma/migrations/<new>/migration.sql

export function readWebhookSql(name: "outbox.sql" | "triggers.sql"): string {
  return fs.readFileSync(fileURLToPath(new URL(`./${name}`, import.meta.url)), "utf8");
}

/** Every CREATE OR REPLACE FUNCTION of outbox.sql, each rewritten for Prisma's migration runner. */
export function webhookFunctionsForMigration(): string {
  const functions = readWebhookSql("outbox.sql").match(/CREATE OR REPLACE FUNCTION[\s\S]*?\$fn\$;/g) ?? [];
  return functions.map((f) => forPrismaMigrate(f)).join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(process.argv[2] === "triggers" ? readWebhookSql("triggers.sql") : webhookFunctionsForMigration());
}
