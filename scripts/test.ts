// `npm test`: typecheck, lint, unit, integration, build, HTTP (against the build) and end-to-end, in that order. Every step
// runs even after a failure so one run shows everything; the exit code is non-zero if any failed.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

interface Step { name: string; cmd: string[]; report?: string; count?: (report: unknown) => { passed: number; failed: number } }

const vitestCount = (r: unknown) => {
  const j = r as { numPassedTests: number; numFailedTests: number };
  return { passed: j.numPassedTests, failed: j.numFailedTests };
};
const playwrightCount = (r: unknown) => {
  const s = (r as { stats: { expected: number; unexpected: number; flaky: number } }).stats;
  return { passed: s.expected + s.flaky, failed: s.unexpected };
};

const only = process.argv.slice(2);
const steps: Step[] = [
  { name: "advisories", cmd: ["npx", "tsx", "scripts/advisories/main.ts"] },
  { name: "typecheck", cmd: ["npx", "tsc", "--noEmit"] },
  { name: "lint", cmd: ["npx", "eslint", ".", "--max-warnings=0"] },
  { name: "unit", cmd: ["npx", "vitest", "run", "--project", "unit", "--project", "stripe-emulator", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/unit.json"], report: "test-results/unit.json", count: vitestCount },
  { name: "integration", cmd: ["npx", "vitest", "run", "--project", "integration", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/integration.json"], report: "test-results/integration.json", count: vitestCount },
  { name: "build", cmd: ["npx", "next", "build"] },
  { name: "http", cmd: ["npx", "vitest", "run", "--project", "http", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/http.json"], report: "test-results/http.json", count: vitestCount },
  { name: "e2e", cmd: ["npx", "playwright", "test"], report: "test-results/e2e.json", count: playwrightCount },
].filter((s) => only.length === 0 || only.includes(s.name));

fs.mkdirSync("test-results", { recursive: true });
const results: { name: string; ok: boolean; seconds: number; passed?: number; failed?: number }[] = [];
for (const step of steps) {
  console.log(`\n=== ${step.name}: ${step.cmd.join(" ")}`);
  if (step.report) fs.rmSync(step.report, { force: true });
  const started = Date.now();
  const run = spawnSync(step.cmd[0]!, step.cmd.slice(1), { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  const result: (typeof results)[number] = { name: step.name, ok: run.status === 0, seconds: (Date.now() - started) / 1000 };
  if (step.report && step.count && fs.existsSync(step.report)) Object.assign(result, step.count(JSON.parse(fs.readFileSync(step.report, "utf8"))));
  // A test step that ran nothing has proven nothing.
  if (step.count && !result.passed && !result.failed) result.ok = false;
  results.push(result);
}

console.log("\n=== summary");
for (const r of results) {
  const counts = r.passed !== undefined ? ` (${r.passed} passed, ${r.failed} failed)` : "";
  console.log(`${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(12)} ${r.seconds.toFixed(1).padStart(6)} s${counts}`);
}
const passed = results.reduce((n, r) => n + (r.passed ?? 0), 0);
const failed = results.reduce((n, r) => n + (r.failed ?? 0), 0) + results.filter((r) => !r.ok && r.failed === undefined).length;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
