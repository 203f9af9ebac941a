import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { applySqlFunctions } from "../../lib/billing/sql-functions";

const require = createRequire(import.meta.url);

/**
 * Applies prisma/migrations to the database at `url` with `prisma migrate deploy`, then the billing engine's
 * database functions from their source (lib/billing/*.sql). `npm run db:deploy` runs this.
 */
export async function migrateDeploy(url: string): Promise<void> {
  const cli = path.join(path.dirname(require.resolve("prisma/package.json")), "build/index.js");
  execFileSync(process.execPath, [cli, "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await applySqlFunctions(url);
}
