// A production instance of the app (`npm start`, scripts/start.mjs) that the soak can kill with SIGKILL and start again on
// the same port and database, as a crashed container is replaced. Same environment as tests/http/server.ts.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { waitForPing } from "../http/server";

const root = path.resolve(import.meta.dirname, "../..");

export interface Instance {
  name: string;
  baseUrl: string;
  /** SIGKILL: no shutdown, in-flight requests are cut. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and waits until it answers. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL without waiting: for a soak that is interrupted itself. */
  killNow(): void;
  /** The log's lines that match, each with the 24 lines after it (an error's message and stack). */
  logged(first: RegExp): string[];
}

export function appInstance(opts: { name: string; port: number; databaseUrl: string; log: string; env?: Record<string, string> }): Instance {
  const baseUrl = `http://127.0.0.1:${opts.port}`;
  const logFile = path.join(root, opts.log);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, "");
  let child: ChildProcess | undefined;
  const alive = () => !!child && child.exitCode === null && child.signalCode === null;
  const exited = () => new Promise<void>((r) => (alive() ? child!.once("exit", () => r()) : r()));

  return {
    name: opts.name,
    baseUrl,
    async start() {
      if (alive()) return;
      const log = fs.openSync(logFile, "a");
      fs.writeSync(log, `--- ${new Date().toISOString()} npm start\n`);
      child = spawn(
        process.execPath,
        [path.join(root, "scripts/start.mjs"), "--port", String(opts.port), "--hostname", "127.0.0.1"],
        {
          cwd: root,
          stdio: ["ignore", log, log],
          env: {
            ...process.env,
            // The production build on local defaults (http, the Stripe emulator): NODE_ENV=production proper refuses those.
            NODE_ENV: "test",
            TRUST_PROXY: "1",
            NEXT_DIST_DIR: process.env.NEXT_DIST_DIR || ".next",
            NEXT_TELEMETRY_DISABLED: "1",
            DATABASE_URL: opts.databaseUrl,
            DATABASE_POOL_MAX: "20",
            APP_URL: baseUrl,
            ...opts.env,
          },
        },
      );
      fs.closeSync(log);
      await waitForPing(baseUrl, child, 60_000);
    },
    async kill() {
      if (!alive()) return;
      const gone = exited();
      child!.kill("SIGKILL");
      await gone;
    },
    killNow() {
      if (alive()) child!.kill("SIGKILL");
    },
    logged(first) {
      const lines = fs.readFileSync(logFile, "utf8").split("\n");
      return lines.flatMap((line, i) => (first.test(line) ? [lines.slice(i, i + 25).join("\n")] : []));
    },
    async stop() {
      if (!alive()) return;
      const gone = exited();
      child!.kill("SIGTERM");
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000))]);
      if (alive()) {
        child!.kill("SIGKILL");
        await gone;
      }
    },
  };
}
