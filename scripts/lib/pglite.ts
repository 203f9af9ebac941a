import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

// The server process: PGlite behind the socket library, with a queue that keeps each connection's protocol cycles whole.
const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), "pglite-server.mjs");

/** A port the OS says is free right now (never 5432, which the machine's PostgreSQL may own). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    if (port !== 5432) return port;
  }
}

export async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Serves a PGlite database (real Postgres compiled to WASM) over the Postgres wire protocol,
 * so the app reaches it through the same pg driver and Prisma adapter as a real server.
 * `dataDir` undefined keeps it in memory.
 */
export async function startEmbeddedPostgres(opts: { dataDir?: string; port?: number; maxConnections?: number } = {}): Promise<EmbeddedPostgres> {
  const port = opts.port ?? (await freePort());
  const args = [SERVER, `--db=${opts.dataDir ? path.resolve(opts.dataDir) : "memory://"}`, `--port=${port}`, `--max-connections=${opts.maxConnections ?? 20}`];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += String(d)));
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`pglite-server exited (${code}): ${stderr.trim()}`))),
  );
  await Promise.race([waitForPort(port, 60_000), exited]);
  return {
    port,
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
