// Starts `npm run dev` as a newcomer would (no DATABASE_URL: embedded PGlite, generated secrets,
// fresh data folder), then signs up in Chromium, verifies the address by the emailed link (a test SMTP server
// stands in for the mail server) and checks the billing page.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./lib/pglite";
import { startMailServer } from "../tests/helpers/mailbox";

const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tally-smoke-"));
const mail = await startMailServer({ dir: path.join(dataDir, "mail") });
const env: NodeJS.ProcessEnv = { ...process.env, TALLY_DATA_DIR: dataDir, PORT: String(port), NEXT_TELEMETRY_DISABLED: "1", SMTP_URL: mail.url };
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
  // Not spawnSync: the mail server lives in this process and must keep answering while the browser runs.
  const run = spawn("npx", ["playwright", "test", "e2e/smoke.spec.ts", "--reporter=list"], { stdio: "inherit", env: { ...process.env, E2E_BASE_URL: `http://localhost:${port}`, E2E_MAIL_DIR: mail.dir! } });
  code = await new Promise<number>((resolve) => run.on("exit", (c) => resolve(c ?? 1)));
} catch (e) {
  console.error(String(e));
} finally {
  if (code !== 0) console.error(`--- npm run dev output ---\n${log}`);
  process.kill(-dev.pid!, "SIGTERM");
  await new Promise((r) => setTimeout(r, 2000));
  await mail.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(code);
