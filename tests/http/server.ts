// Starts the built app with `npm start` (scripts/start.mjs) on its own database, for the HTTP tests and the benchmark.
// With DATABASE_URL: a fresh database `<name>_http` on that server. Without it: an in-memory PGlite.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { createDb } from "../../lib/db";
import { seedCatalog } from "../../lib/billing/plans";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../scripts/lib/pglite";
import { migrateDeploy } from "../../scripts/lib/migrate";

export interface AppServer {
  baseUrl: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, "../..");

/** A port in [from, to) that nothing listens on, 3300-3399 by default (HTTP_TEST_PORT pins one). */
export async function pickPort(range: [number, number] = [3300, 3400]): Promise<number> {
  if (process.env.HTTP_TEST_PORT) return Number(process.env.HTTP_TEST_PORT);
  const [from, to] = range;
  for (let port = from; port < to; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}-${to - 1}`);
}

/** Builds into NEXT_DIST_DIR (default .next) unless a build is already there. */
export function ensureBuild(distDir: string) {
  if (fs.existsSync(path.join(root, distDir, "BUILD_ID"))) return;
  console.log(`[http] no build in ${distDir}; running next build`);
  const r = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: root,
    stdio: "inherit",
    // Vitest sets NODE_ENV=test; next.config.ts reads NODE_ENV for the security headers it bakes into the
    // build, so a build started from a test run must say production, like `npm run build`.
    env: { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) throw new Error("next build failed");
}

async function freshDatabase(base: string, suffix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${new URL(base).pathname.slice(1) || "tally"}_${suffix}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await a.end();
    },
  };
}

export interface AppServerOptions {
  databaseSuffix: string;
  poolMax?: number;
  log?: string;
  /** Serve this database instead of a fresh one (migrated and seeded, never dropped): a second instance, or a cluster a test stops. */
  databaseUrl?: string;
  /** Where to look for a free port (default 3300-3399). */
  portRange?: [number, number];
  /** More environment for the server (e.g. timeouts). */
  env?: Record<string, string>;
  /** How the build is served: `npm start` (default), or Next's own `next start`, as on Vercel or behind any Next host. */
  via?: "npm-start" | "next-start";
}

export async function startAppServer(opts: AppServerOptions): Promise<AppServer> {
  const distDir = process.env.NEXT_DIST_DIR || ".next";
  ensureBuild(distDir);
  let embedded: EmbeddedPostgres | undefined;
  let drop: (() => Promise<void>) | undefined;
  let databaseUrl: string;
  if (opts.databaseUrl) {
    databaseUrl = opts.databaseUrl;
  } else if (process.env.DATABASE_URL) {
    const fresh = await freshDatabase(process.env.DATABASE_URL, opts.databaseSuffix);
    databaseUrl = fresh.url;
    drop = fresh.drop;
  } else {
    embedded = await startEmbeddedPostgres({ maxConnections: 60 });
    databaseUrl = embedded.url;
  }
  await migrateDeploy(databaseUrl);
  const seeder = createDb(databaseUrl, 2);
  await seedCatalog(seeder);
  await seeder.$disconnect();

  const port = await pickPort(opts.portRange);
  const baseUrl = `http://127.0.0.1:${port}`;
  const logFile = path.join(root, opts.log ?? "test-results/http-server.log");
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, "w");
  const child: ChildProcess = spawn(
    process.execPath,
    [...(opts.via === "next-start" ? [path.join(root, "node_modules/next/dist/bin/next"), "start"] : [path.join(root, "scripts/start.mjs")]), "--port", String(port), "--hostname", "127.0.0.1"],
    {
      cwd: root,
      stdio: ["ignore", log, log],
      env: {
        ...process.env,
        // The production build on local defaults (http, the Stripe emulator): NODE_ENV=production proper refuses those.
        NODE_ENV: "test",
        // The tests stand in for one proxy in front, telling the app each client's address in X-Forwarded-For.
        TRUST_PROXY: "1",
        NEXT_DIST_DIR: distDir,
        NEXT_TELEMETRY_DISABLED: "1",
        DATABASE_URL: databaseUrl,
        // One connection on the embedded PGlite server, which runs all connections in one session.
        DATABASE_POOL_MAX: String(opts.poolMax ?? (embedded ? 1 : 20)),
        APP_URL: baseUrl,
        AUTH_SECRET: process.env.AUTH_SECRET || "http-test-auth-secret-0123456789",
        CRON_SECRET: process.env.CRON_SECRET || "http-test-cron-secret-0123456789",
        STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET || "whsec_http_test_0123456789",
        ...opts.env,
      },
    },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    fs.closeSync(log);
    await embedded?.stop();
    await drop?.();
  };
  try {
    await waitForPing(baseUrl, child, 60_000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${fs.readFileSync(logFile, "utf8").slice(-3000)}`);
  }
  return { baseUrl, databaseUrl, stop };
}

/** Waits until a started server answers its ping route, or fails when it exits or takes too long. */
export async function waitForPing(baseUrl: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${baseUrl}/api/v1/ping`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server did not answer ${baseUrl}/api/v1/ping within ${timeoutMs} ms`);
}
