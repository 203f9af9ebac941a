// Serves the whole product on the embedded defaults: PGlite when DATABASE_URL is unset, generated
// development secrets when they are missing. Used by `npm run dev` and by the end-to-end tests.
//   tsx scripts/serve.ts [--prod] [--port 3000] [--memory]
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./lib/pglite";
import { ensureDevSecrets } from "./lib/dev-secrets";
import { loadEnvFiles } from "./lib/load-env";
import { DEMO_LOGIN, prepareDatabase } from "./lib/prepare-database";
import { startDevStripe, syncCatalogToStripe } from "./lib/stripe-dev";

const args = process.argv.slice(2);
const prod = args.includes("--prod");
const memory = args.includes("--memory");
const port = Number(args[args.indexOf("--port") + 1] || process.env.PORT || 3000);
const dataDir = path.resolve(process.env.TALLY_DATA_DIR ?? ".data");

loadEnvFiles();
// `--prod` serves the production build on the local defaults below (the end-to-end tests): that is a test
// run, not production, which refuses every development default (lib/env.ts). Only development gets a demo login.
if (prod) (process.env as Record<string, string | undefined>).NODE_ENV ??= "test";
const development = (process.env.NODE_ENV ?? "development") === "development";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
process.env.APP_URL ??= `http://localhost:${port}`;
if (process.env.NODE_ENV !== "production") {
  const generated = ensureDevSecrets(dataDir);
  if (generated.length) console.log(`[tally] generated local development values for ${generated.join(", ")} (kept in ${path.relative(process.cwd(), dataDir)}/dev-secrets.json)`);
}

let embedded: EmbeddedPostgres | undefined;
if (!process.env.DATABASE_URL) {
  embedded = await startEmbeddedPostgres({ dataDir: memory ? undefined : path.join(dataDir, "pglite"), maxConnections: 20 });
  process.env.DATABASE_URL = embedded.url;
  // PGlite is one database session behind a socket, serving one connection's statements at a time: more
  // connections would only wait in its queue, past the pool's fail-fast wait for a connection, so the app talks
  // to it over a single pooled connection.
  process.env.DATABASE_POOL_MAX ??= "1";
  console.log(`[tally] embedded PostgreSQL (PGlite) on 127.0.0.1:${embedded.port}${memory ? " in memory" : ` with data in ${path.relative(process.cwd(), dataDir)}/pglite`}`);
}

await prepareDatabase(process.env.DATABASE_URL, { demoLogin: development });
// With TALLY_DATA_DIR set (the end-to-end tests), record the database URL served on, next to dev-secrets.json:
// an in-memory PGlite is otherwise reachable only from inside this process.
if (process.env.TALLY_DATA_DIR) {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, "database-url"), `${process.env.DATABASE_URL}\n`, { mode: 0o600 });
}
if (development) console.log(`[tally] demo login: ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}`);

const stripeEmulator = await startDevStripe({ appUrl: process.env.APP_URL, ephemeral: memory });
if (stripeEmulator) console.log(`[tally] local Stripe emulator on ${stripeEmulator.url} (no STRIPE_SECRET_KEY set); events go to ${process.env.APP_URL}/api/webhooks/stripe`);
const catalog = await syncCatalogToStripe(process.env.DATABASE_URL);
console.log(`[tally] Stripe catalog: ${catalog.found} prices found, ${catalog.created} created`);

// --prod serves the build as `npm start` does (scripts/start.mjs); otherwise `next dev`.
const command = prod ? [path.resolve("scripts/start.mjs")] : [path.resolve("node_modules/next/dist/bin/next"), "dev"];
const app = spawn(process.execPath, [...command, "--port", String(port)], { stdio: "inherit", env: process.env });
console.log(`[tally] serving on ${process.env.APP_URL}`);

const shutdown = async (code: number) => {
  if (app.exitCode === null) app.kill("SIGTERM");
  await stripeEmulator?.stop();
  await embedded?.stop();
  process.exit(code);
};
process.on("SIGINT", () => void shutdown(130));
process.on("SIGTERM", () => void shutdown(143));
app.on("exit", (code) => void shutdown(code ?? 0));
