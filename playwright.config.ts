import fs from "node:fs";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

// CHROMIUM_PATH picks a system Chromium (Debian's /usr/bin/chromium is used when present);
// otherwise Playwright's own browser.
const executablePath = process.env.CHROMIUM_PATH || (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);
const port = Number(process.env.E2E_PORT ?? 3100);
const external = process.env.E2E_BASE_URL;
// The operator of the console in the end-to-end tests (e2e/console.spec.ts signs up with it).
export const OPERATOR_EMAIL = "operator@example.test";
/** A second operator, so specs that sign up an operator never race for one address. */
export const KEYS_OPERATOR_EMAIL = "keys-operator@example.test";
// The app's mail goes to a test SMTP server (e2e/global-setup.ts starts it on this port; it writes each message
// into E2E_MAIL_DIR, where the tests read it). Against an external server, whoever started it sets both.
process.env.E2E_SMTP_PORT ??= String(port + 25);
const smtpPort = Number(process.env.E2E_SMTP_PORT);
process.env.E2E_MAIL_DIR ??= path.resolve(".data/e2e/mail");

export default defineConfig({
  testDir: "e2e",
  outputDir: process.env.E2E_OUTPUT_DIR || "test-results",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  globalSetup: external ? undefined : "./e2e/global-setup.ts",
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL: external ?? `http://localhost:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  // The app starts itself on the embedded defaults: a fresh in-memory PGlite and generated secrets.
  webServer: external
    ? undefined
    : {
        command: `npx tsx scripts/serve.ts --prod --memory --port ${port}`,
        url: `http://localhost:${port}/sign-in`,
        timeout: 180_000,
        reuseExistingServer: false,
        stdout: "pipe",
        env: { TALLY_DATA_DIR: ".data/e2e", DATABASE_URL: "", TALLY_OPERATOR_EMAILS: `${OPERATOR_EMAIL},${KEYS_OPERATOR_EMAIL}`, SMTP_URL: `smtp://127.0.0.1:${smtpPort}` },
      },
});
