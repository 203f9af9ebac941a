// Attacks on a running server: forged X-Forwarded-For against the bad-key limiter, pages and routes
// without security headers, and production started on development defaults.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { FAILURE_LIMIT, FAILURE_WINDOW_SECONDS } from "@/lib/api-keys";
import { api, clientIp, closeAll, seedWorkspace } from "./helpers";
import { pickPort } from "./server";

afterAll(closeAll);

let ws: Awaited<ReturnType<typeof seedWorkspace>>;
beforeAll(async () => {
  ws = await seedWorkspace({ compute: { limit: "1000", overflow: "block" } });
});

/** The limiter counts per minute; a burst that straddles a minute boundary would start a fresh count midway. */
async function awayFromWindowEdge() {
  const window = FAILURE_WINDOW_SECONDS * 1000;
  const left = window - (Date.now() % window);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 200));
}

// The server runs with TRUST_PROXY=1: the test stands in for the one proxy in front, which appends the
// address it saw to whatever X-Forwarded-For the client sent.
describe("forged X-Forwarded-For against the bad-key limiter", () => {
  const bad = `tk_live_00000000_${"F".repeat(43)}`;
  const limitations = (key: string, forwardedFor: string) => api.request("/api/v1/limitations", { key, headers: { "x-forwarded-for": forwardedFor } });

  it("a new forged address on every attempt does not dodge the limit", async () => {
    await awayFromWindowEdge();
    const attacker = clientIp();
    const statuses: number[] = [];
    for (let i = 0; i < FAILURE_LIMIT + 3; i++) statuses.push((await limitations(bad, `${clientIp()}, ${attacker}`)).status);
    expect(statuses).toEqual([...Array(FAILURE_LIMIT).fill(401), 429, 429, 429]);
  });

  it("failures forged in a victim's name do not lock the victim out", async () => {
    await awayFromWindowEdge();
    const victim = clientIp();
    const attacker = clientIp();
    for (let i = 0; i < FAILURE_LIMIT + 2; i++) await limitations(bad, `${victim}, ${attacker}`);
    expect((await limitations(bad, attacker)).status).toBe(429);
    expect((await limitations(ws.key, victim)).status).toBe(200);
    // Even bad keys from the victim's own address still count from zero.
    expect((await limitations(bad, victim)).status).toBe(401);
  });

  it("a valid key is served from an address over its failure limit", async () => {
    await awayFromWindowEdge();
    const office = clientIp();
    for (let i = 0; i <= FAILURE_LIMIT; i++) await limitations(bad, office);
    expect((await limitations(bad, office)).status).toBe(429);
    expect((await limitations(ws.key, office)).status).toBe(200);
  });
});

describe("security headers", () => {
  const paths: [string, { method?: string; body?: unknown }][] = [
    ["/", {}],
    ["/pricing", {}],
    ["/sign-in", {}],
    ["/sign-up", {}],
    ["/app", {}],
    ["/no-such-page", {}],
    ["/api/v1/ping", {}],
    ["/api/v1/usage", { body: { feature: "compute", units: 1, idempotencyKey: "h" } }],
    ["/api/auth/session", {}],
    ["/api/cron/prune", {}],
    ["/api/webhooks/stripe", { body: {} }],
  ];
  it.each(paths)("%s answers with them", async (p, opts) => {
    const r = await api.request(p, opts);
    expect(r.status).toBeLessThan(500);
    const csp = String(r.headers["content-security-policy"]);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'self'");
    // A production build: no eval, no hot-reload websocket, nothing from another origin.
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/https?:\/\/|\*|ws:/);
    expect(r.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
    expect(r.headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
    expect(r.headers["x-frame-options"]).toBe("DENY");
    expect(r.headers["permissions-policy"]).toContain("camera=()");
  });
});

describe("hostile query values on pages", () => {
  it.each(["__proto__", "constructor", "toString"])("/sign-in?error=%s says sign-in did not work, never a 5xx", async (error) => {
    const r = await api.request(`/sign-in?error=${error}`);
    expect(r.status).toBe(200);
    expect(r.text).toContain("That sign-in did not work");
  });
});

describe("NODE_ENV=production on development defaults", () => {
  const root = path.resolve(import.meta.dirname, "../..");
  const production = {
    NODE_ENV: "production",
    DATABASE_URL: inject("httpDatabaseUrl"),
    AUTH_SECRET: "A".repeat(43),
    APP_URL: "https://billing.example.com",
    STRIPE_SECRET_KEY: `sk_test_${"z".repeat(24)}`,
    STRIPE_WEBHOOK_SECRET: `whsec_${"B".repeat(32)}`,
    CRON_SECRET: "C".repeat(43),
  };

  /** Runs `npm start` (scripts/start.mjs) on exactly these variables: its exit code, "serving" once it answers, or "hung" after 30 s of neither. */
  async function start(vars: Record<string, string | undefined>): Promise<{ outcome: number | "serving" | "hung"; output: string }> {
    const port = await pickPort([3460, 3500]);
    const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: process.env.NEXT_DIST_DIR || ".next" };
    for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, [path.join(root, "scripts/start.mjs"), "--port", String(port), "--hostname", "127.0.0.1"], { cwd: root, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? -1)));
    const serving = (async () => {
      for (let i = 0; i < 150; i++) {
        await new Promise((r) => setTimeout(r, 200));
        if (child.exitCode !== null) return;
        const ok = await fetch(`http://127.0.0.1:${port}/api/v1/ping`).then((r) => r.ok, () => false);
        if (ok) return "serving" as const;
      }
      return child.exitCode === null ? ("hung" as const) : undefined;
    })();
    const settled: Promise<number | "serving" | "hung"> = serving.then(async (s) => s ?? (await exited));
    const outcome = await Promise.race([exited, settled]);
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    return { outcome, output };
  }

  it("starts on real values (the control: the refusals below are about one variable each)", async () => {
    const r = await start(production);
    expect(r.outcome, r.output).toBe("serving");
  });

  const cases: [string, string | undefined, string][] = [
    ["DATABASE_URL", undefined, "missing"],
    ["DATABASE_URL", "mysql://db/tally", "malformed"],
    ["AUTH_SECRET", undefined, "missing"],
    ["AUTH_SECRET", "dev-secret", "short"],
    ["APP_URL", undefined, "missing"],
    ["APP_URL", "http://localhost:3000", "not https"],
    ["STRIPE_SECRET_KEY", undefined, "missing (the local emulator)"],
    ["STRIPE_SECRET_KEY", "sk_test_emulator", "malformed"],
    ["STRIPE_WEBHOOK_SECRET", undefined, "missing"],
    ["STRIPE_WEBHOOK_SECRET", "x", "malformed"],
    ["CRON_SECRET", undefined, "missing"],
    ["CRON_SECRET", "cron", "short"],
    ["STRIPE_API_BASE", "http://127.0.0.1:12111", "set to the emulator"],
    ["AUTH_GOOGLE_ISSUER", "http://127.0.0.1:9999", "Google sign-in pointed elsewhere"],
  ];
  it("takes an unset NODE_ENV for production, as next start does", async () => {
    const r = await start({ ...production, NODE_ENV: undefined, APP_URL: "http://localhost:3000" });
    expect(r.outcome, r.output).toBe(1);
    expect(r.output).toMatch(/refusing to start[\s\S]*APP_URL: /);
  });

  it.each(cases)("exits naming %s when it is %s (%s)", async (name, value) => {
    const r = await start({ ...production, [name]: value });
    expect(r.outcome, r.output).toBe(1);
    expect(r.output).toMatch(new RegExp(`refusing to start[\\s\\S]*${name}: `));
  });
});
