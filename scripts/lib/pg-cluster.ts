import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, waitForPort } from "./pglite";

/**
 * A throwaway PostgreSQL cluster of our own (initdb in a temp folder, its own port), so fault tests
 * can stop and start a database without touching the machine's shared server. Needs the PostgreSQL
 * server binaries (Debian's postgresql package); as root, the cluster runs as the postgres user.
 */
export interface OwnCluster {
  url: string;
  port: number;
  stop(): void;
  start(): Promise<void>;
  destroy(): void;
}

export function postgresBinDir(): string {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv) return fromEnv;
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (fs.existsSync(path.join(root, v, "bin/pg_ctl"))) return path.join(root, v, "bin");
  throw new Error("PostgreSQL server binaries not found (install Debian's postgresql or set PG_BIN_DIR)");
}

export async function startOwnCluster(): Promise<OwnCluster> {
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tally-pg-"));
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", dir]);
  const run = (cmd: string, args: string[]) =>
    execFileSync(asRoot ? "runuser" : cmd, asRoot ? ["-u", "postgres", "--", cmd, ...args] : args, { stdio: "pipe" });
  run(path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const cluster: OwnCluster = {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      run(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    },
    async start() {
      run(path.join(bin, "pg_ctl"), ["-D", data, "-o", opts, "-l", path.join(dir, "log"), "-w", "start"]);
      await waitForPort(port);
    },
    destroy() {
      try {
        cluster.stop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
