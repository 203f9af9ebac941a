// `npm run test:stripe-live` cannot reach Stripe from here, so its two paths are tested as they can be: without a
// test-mode key it is skipped (exit 0, saying why); with one it runs the live suite through the same wiring,
// pointed by STRIPE_API_BASE at an emulator this test starts, on a database of its own.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startStripeEmulator, type StripeEmulatorHandle } from "@tally/stripe-emulator";

const run = promisify(execFile);
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

async function liveCommand(vars: Record<string, string>): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run("npm", ["run", "-s", "test:stripe-live"], { env: { ...process.env, STRIPE_LIVE: "", ...vars }, timeout: 280_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: plain(stdout + stderr) };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, out: plain(`${err.stdout ?? ""}${err.stderr ?? ""}`) };
  }
}

describe("npm run test:stripe-live", () => {
  it.each([
    ["no key", "", "skipped: STRIPE_SECRET_KEY is not set."],
    ["a live key", "sk_live_0123456789abcdefghij", "skipped: STRIPE_SECRET_KEY is not a test-mode secret key (it starts with sk_live_, not sk_test_)."],
    ["a restricted key", "rk_test_0123456789abcdefghij", "skipped: STRIPE_SECRET_KEY is not a test-mode secret key (it starts with rk_test_, not sk_test_)."],
  ])("with %s is skipped, says why, and exits 0", async (_, key, message) => {
    const { code, out } = await liveCommand({ STRIPE_SECRET_KEY: key, STRIPE_API_BASE: "" });
    expect(code).toBe(0);
    expect(out).toContain(`test:stripe-live: ${message}`);
    expect(out).not.toContain("RUN");
  });

  describe("with a test-mode key", () => {
    let emulator: StripeEmulatorHandle;
    let databaseUrl = "";
    let dropDatabase = async () => {};
    beforeAll(async () => {
      // No webhook endpoint: what the suite learns, it learns from the events list.
      emulator = await startStripeEmulator({ port: 0, webhookSecret: process.env.STRIPE_WEBHOOK_SECRET!, tickMs: 0, log: () => {} });
      if (!inject("databaseEmbedded")) {
        // Its own database on the same server, so the nested run's databases never meet this run's.
        const url = new URL(process.env.DATABASE_URL!);
        const name = `${url.pathname.slice(1)}_live`;
        const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.query(`CREATE DATABASE "${name}"`);
        await admin.end();
        url.pathname = `/${name}`;
        databaseUrl = url.toString();
        dropDatabase = async () => {
          const a = new pg.Client({ connectionString: process.env.DATABASE_URL });
          await a.connect();
          await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
          await a.end();
        };
      }
    });
    afterAll(async () => {
      await emulator?.stop();
      await dropDatabase();
    });

    it("runs the live suite against the Stripe it is pointed at, learning events through the events list", async () => {
      const { code, out } = await liveCommand({ STRIPE_SECRET_KEY: "sk_test_wiring0123456789abcdef", STRIPE_API_BASE: emulator.url, DATABASE_URL: databaseUrl, TEST_WORKERS: "1" });
      expect(code, out).toBe(0);
      expect(out).toContain(`test:stripe-live: tests/integration/payments/reconcile-path.test.ts against the Stripe API at ${emulator.url}; events are learnt through the events list, not webhooks`);
      expect(out).toMatch(/Tests\s+2 passed \(2\)/);
      // The suite worked on this emulator, with no webhook delivered, and cleaned up its test clocks.
      const store = emulator.emulator.store;
      expect(store.webhookEndpoints.size).toBe(0);
      expect([...store.events.values()].some((e) => e.type === "invoice.paid")).toBe(true);
      expect([...store.refunds.values()]).toHaveLength(1);
      expect(store.testClocks.size).toBe(0);
    }, 300_000);
  });
});
