// `npm test`: typecheck, lint, unit, integration, build, HTTP (against the build) and end-to-end, in that order. Every step
// runs even after a failure so one run shows everything; the exit code is non-zero if any failed.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

interface Step {
  name: string;
  cmd: string[];
  report?: string;
  count?: (report: unknown) => { passed: number; failed: number };
  failures?: (report: unknown) => string[];
}

const vitestCount = (r: unknown) => {
  const j = r as { numPassedTests: number; numFailedTests: number };
  return { passed: j.numPassedTests, failed: j.numFailedTests };
};
// The names of the failed tests with the gist of their error, repeated in the summary: a long run's log is often read
// from its tail only. The gist is the first line, plus what an assertion names (its locator, what it expected and
// received, a strict-mode violation) and where in the test it failed.
const clean = (message: string | undefined) => (message ?? "").replace(/\u001b\[[0-9;]*m/g, "").trim();
const gist = (message: string | undefined, where?: { file: string; line: number }) => {
  const lines = clean(message).split("\n").map((l) => l.trim()).filter(Boolean);
  const detail = lines.slice(1).filter((l) => /^(Locator:|Expected|Received|Error: strict mode violation|Timeout:)/.test(l)).slice(0, 5);
  // A test runner's stack names the test file's line when the report does not.
  const frame = where ? undefined : lines.find((l) => /^at .*\/(tests|scripts|e2e|bench)\/[^:]+:\d+/.test(l));
  if (frame) detail.push(frame);
  const at = where ? ` (at ${where.file.replace(process.cwd() + "/", "")}:${where.line})` : "";
  return [`${(lines[0] ?? "").slice(0, 300)}${at}`, ...detail.map((l) => `    ${l.slice(0, 300)}`)].join("\n");
};
const vitestFailures = (r: unknown) => {
  const j = r as { testResults: { name: string; message?: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[] };
  return j.testResults.flatMap((file) => {
    const where = file.name.replace(process.cwd() + "/", "");
    const failed = file.assertionResults.filter((a) => a.status === "failed");
    if (failed.length === 0 && file.message) return [`${where}: ${gist(file.message)}`];
    return failed.map((a) => `${where} > ${a.fullName}: ${gist(a.failureMessages[0])}`);
  });
};
interface PwSuite { title: string; file?: string; suites?: PwSuite[]; specs?: { title: string; ok: boolean; tests: { results: { error?: { message?: string; location?: { file: string; line: number } } }[] }[] }[] }
const playwrightFailures = (r: unknown) => {
  const walk = (suite: PwSuite): string[] => [
    ...(suite.specs ?? []).filter((s) => !s.ok).map((s) => {
      const error = s.tests[0]?.results.at(-1)?.error;
      return `${suite.file ?? suite.title} > ${s.title}: ${gist(error?.message, error?.location)}`;
    }),
    ...(suite.suites ?? []).flatMap(walk),
  ];
  return (r as { suites: PwSuite[] }).suites.flatMap(walk);
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
  { name: "unit", cmd: ["npx", "vitest", "run", "--project", "unit", "--project", "stripe-emulator", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/unit.json"], report: "test-results/unit.json", count: vitestCount, failures: vitestFailures },
  { name: "integration", cmd: ["npx", "vitest", "run", "--project", "integration", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/integration.json"], report: "test-results/integration.json", count: vitestCount, failures: vitestFailures },
  { name: "build", cmd: ["npx", "next", "build"] },
  { name: "http", cmd: ["npx", "vitest", "run", "--project", "http", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/http.json"], report: "test-results/http.json", count: vitestCount, failures: vitestFailures },
  { name: "e2e", cmd: ["npx", "playwright", "test"], report: "test-results/e2e.json", count: playwrightCount, failures: playwrightFailures },
].filter((s) => only.length === 0 || only.includes(s.name));

fs.mkdirSync("test-results", { recursive: true });
const results: { name: string; ok: boolean; seconds: number; passed?: number; failed?: number; failures?: string[] }[] = [];
for (const step of steps) {
  console.log(`\n=== ${step.name}: ${step.cmd.join(" ")}`);
  if (step.report) fs.rmSync(step.report, { force: true });
  const started = Date.now();
  const run = spawnSync(step.cmd[0]!, step.cmd.slice(1), { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  const result: (typeof results)[number] = { name: step.name, ok: run.status === 0, seconds: (Date.now() - started) / 1000 };
  if (step.report && step.count && fs.existsSync(step.report)) {
    const report: unknown = JSON.parse(fs.readFileSync(step.report, "utf8"));
    Object.assign(result, step.count(report));
    if (!result.ok && step.failures) result.failures = step.failures(report);
  }
  // A test step that ran nothing has proven nothing.
  if (step.count && !result.passed && !result.failed) result.ok = false;
  results.push(result);
}

console.log("\n=== summary");
for (const r of results) {
  const counts = r.passed !== undefined ? ` (${r.passed} passed, ${r.failed} failed)` : "";
  console.log(`${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(12)} ${r.seconds.toFixed(1).padStart(6)} s${counts}`);
}
for (const r of results) for (const f of r.failures ?? []) console.log(`  failed in ${r.name}: ${f}`);
const passed = results.reduce((n, r) => n + (r.passed ?? 0), 0);
const failed = results.reduce((n, r) => n + (r.failed ?? 0), 0) + results.filter((r) => !r.ok && r.failed === undefined).length;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
