import fs from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

// The outbox triggers' readable source is outbox.sql (functions) and triggers.sql (the CREATE TRIGGERs).
// `npm run db:deploy` applies outbox.sql after the migrations on every release (lib/billing/sql-functions.ts), so
// an edit of a function needs no migration; a new trigger does: npx tsx lib/webhooks/sql.ts triggers.

export function readWebhookSql(name: "outbox.sql" | "triggers.sql"): string {
  return fs.readFileSync(fileURLToPath(new URL(`./${name}`, import.meta.url)), "utf8");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(readWebhookSql(process.argv[2] === "functions" ? "outbox.sql" : "triggers.sql"));
}
