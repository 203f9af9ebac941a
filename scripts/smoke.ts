// Starts `npm run dev` as a newcomer would (no DATABASE_URL: embedded PGlite, generated secrets,
// fresh data folder), then signs up in Chromium and checks the billing page.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./lib/pglite";

const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tally-smoke-"));
const env: NodeJS.ProcessEnv = { ...process.env, TALLY_DATA_DIR: dataDir, PORT: String(port), NEXT_TELEMETRY_DISABLED: "1" };
delete env.DATABASE_URL;
const dev = spawn("npm", ["run", "dev"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
let log = "";
dev.stdout.on("data", (d) => (log += d));
dev.stderr.on("data", (d) => (log += d));

let code = 1;
try {
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error("npm run dev did not serve /sign-up within 180 s");
    const ok = await fetch(`http://localhost:${port}/sign-up`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const run = spawnSync("npx", ["playwright", "test", "e2e/smoke.spec.ts", "--reporter=list"], { stdio: "inherit", env: { ...process.env, E2E_BASE_URL: `http://localhost:${port}` } });
  code = run.status ?? 1;
} catch (e) {
  console.error(String(e));
} finally {
  if (code !== 0) console.error(`--- npm run dev output ---\n${log}`);
  process.kill(-dev.pid!, "SIGTERM");
  await new Promise((r) => setTimeout(r, 2000));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(code);
