// `npm run chaos`: the resilience and security suite. Builds the app if NEXT_DIST_DIR (default .next) has
// no build, runs the vitest "chaos" project (tests/chaos: two instances, outages, hostile input, tenant
// isolation, framework edges, API keys, cron races) and the overload run (tests/chaos/overload.ts), then
// prints a summary and `chaos: N passed, N failed`. Servers listen on 127.0.0.1 ports 3500-3599.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { ensureBuild } from "../tests/http/server";

const REPORT = "test-results/chaos.json";
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

fs.mkdirSync("test-results", { recursive: true });
ensureBuild(process.env.NEXT_DIST_DIR || ".next");

const results: { name: string; ok: boolean; seconds: number; passed: number; failed: number }[] = [];

function step(name: string, cmd: string[], count: (ok: boolean) => { passed: number; failed: number }) {
  console.log(`\n=== ${name}: ${cmd.join(" ")}`);
  const started = Date.now();
  const run = spawnSync(cmd[0]!, cmd.slice(1), { stdio: "inherit", env });
  const ok = run.status === 0;
  results.push({ name, ok, seconds: (Date.now() - started) / 1000, ...count(ok) });
}

fs.rmSync(REPORT, { force: true });
step("tests", ["npx", "vitest", "run", "--project", "chaos", "--reporter=default", "--reporter=json", `--outputFile.json=${REPORT}`], (ok) => {
  if (!fs.existsSync(REPORT)) return { passed: 0, failed: 1 };
  const r = JSON.parse(fs.readFileSync(REPORT, "utf8")) as { numPassedTests: number; numFailedTests: number };
  // A run that failed outside any test (a setup error) still counts as a failure.
  return { passed: r.numPassedTests, failed: r.numFailedTests || (ok ? 0 : 1) };
});
step("overload", ["npx", "tsx", "tests/chaos/overload.ts"], (ok) => ({ passed: ok ? 1 : 0, failed: ok ? 0 : 1 }));

console.log("\n=== chaos summary");
for (const r of results) console.log(`${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(10)} ${r.seconds.toFixed(1).padStart(6)} s (${r.passed} passed, ${r.failed} failed)`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`chaos: ${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.ok) && passed > 0 ? 0 : 1);
