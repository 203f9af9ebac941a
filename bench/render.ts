// Server render time of the billing overview (and the ledger) for a workspace with 10,000 ledger entries
// and 20 features, and the JavaScript (gzip) Chromium loads for each billing page, against a production
// server of the suite's own (`npm start`, built into NEXT_DIST_DIR, default .next-bench).
import fs from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium, type Browser } from "@playwright/test";
import { registerUser } from "../lib/auth/users";
import { recordUsage } from "../lib/billing";
import { defaultPlans, type EntitlementSpec } from "../lib/billing/catalog";
import { publishPlan } from "../lib/billing/plans";
import { createDb, type Db } from "../lib/db";
import { startAppServer } from "../tests/http/server";
import { percentile, round, type BenchSuite } from "./suite";

const LEDGER_ENTRIES = 10_000;
const FEATURES = 20;
const WARMUP = 5;
const SAMPLES = Number(process.env.BENCH_RENDER_SAMPLES ?? 60);
const DEADLINE_MS = 6 * 60_000;
const PAGES = ["billing", "plans", "extras", "ledger", "usage", "invoices", "api-keys", "members"];
const LOGIN = { email: "bench-render@example.test", password: "bench-render-password" };
// The operator console at scale: this many workspaces, and one of them holding this many ledger entries.
const ADMIN_WORKSPACES = 10_000;
const ADMIN_LEDGER_ENTRIES = 1_000_000;

/** The default catalog's four features plus metered ones up to FEATURES. */
function entitlements(): EntitlementSpec[] {
  const base = defaultPlans[2]!.entitlements;
  const extra = Array.from({ length: FEATURES - base.length }, (_, i): EntitlementSpec => ({
    feature: `feature_${String(i + 1).padStart(2, "0")}`,
    kind: "meter",
    limit: String(1000 * (i + 1)),
    period: "month",
    overflow: "soft",
  }));
  return [...base, ...extra];
}

async function seed(db: Db): Promise<{ slug: string }> {
  const { plan } = await publishPlan(db, { ...defaultPlans[2]!, key: "bench_render", name: "Bench", entitlements: entitlements() });
  const { workspace } = await registerUser(db, { ...LOGIN, name: "Bench Owner", workspace: "Bench Render" });
  await db.subscription.update({ where: { workspaceId: workspace.id }, data: { planId: plan.id, status: "active" } });
  // One event per meter, so every bar has a window and a number.
  for (const [i, e] of entitlements().entries()) {
    if (e.kind !== "meter") continue;
    await recordUsage(db, { workspaceId: workspace.id, feature: e.feature, units: String(7 * (i + 1)), idempotencyKey: `seed-${e.feature}`, metadata: { action: "seed" } }, { notifier: { async send() {} } });
  }
  // The ledger in one statement: alternating credits (+2) and debits (-1), one a minute, balances as a running sum.
  await db.$executeRaw`INSERT INTO "ExtrasLot" (id, "workspaceId", source, "sourceRef", units, remaining, "createdAt")
    VALUES ('bench-lot', ${workspace.id}, 'adjustment', 'bench', ${LEDGER_ENTRIES}, ${LEDGER_ENTRIES / 2}, now())`;
  await db.$executeRaw`INSERT INTO "LedgerEntry" (id, "workspaceId", seq, "lotId", kind, units, "balanceAfter", "causeType", "causeId", "createdAt")
    SELECT 'bench-' || g, ${workspace.id}, g, 'bench-lot',
      (CASE WHEN g % 2 = 1 THEN 'adjustment' ELSE 'debit' END)::"LedgerKind",
      CASE WHEN g % 2 = 1 THEN 2 ELSE -1 END,
      ((g + 1) / 2) * 2 - (g / 2),
      CASE WHEN g % 2 = 1 THEN 'operator' ELSE 'usage_event' END, 'bench-cause-' || g,
      now() - make_interval(mins => ${LEDGER_ENTRIES} - g)
    FROM generate_series(1, ${LEDGER_ENTRIES}) AS g`;
  await db.extrasAccount.update({ where: { workspaceId: workspace.id }, data: { balance: LEDGER_ENTRIES / 2, lastSeq: LEDGER_ENTRIES } });
  return { slug: workspace.slug };
}

/**
 * ADMIN_WORKSPACES workspaces (each with an owner and a Free subscription) in bulk statements, and one of them
 * with ADMIN_LEDGER_ENTRIES ledger entries; the bench login becomes an operator. Returns the big workspace's id.
 */
async function seedConsole(db: Db): Promise<{ bigId: string }> {
  const free = await db.plan.findFirstOrThrow({ where: { key: "free" }, orderBy: { version: "desc" } });
  const n = ADMIN_WORKSPACES;
  await db.$executeRaw`INSERT INTO "User" (id, email, name) SELECT 'bench-u-' || g, 'bench-owner-' || g || '@example.test', 'Owner ' || g FROM generate_series(1, ${n}) AS g`;
  await db.$executeRaw`INSERT INTO "Workspace" (id, slug, name) SELECT 'bench-w-' || g, 'bench-w-' || g, 'Bench customer ' || g FROM generate_series(1, ${n}) AS g`;
  await db.$executeRaw`INSERT INTO "Membership" (id, "workspaceId", "userId", role) SELECT 'bench-m-' || g, 'bench-w-' || g, 'bench-u-' || g, 'OWNER' FROM generate_series(1, ${n}) AS g`;
  await db.$executeRaw`INSERT INTO "Subscription" (id, "workspaceId", "planId", status, "updatedAt") SELECT 'bench-s-' || g, 'bench-w-' || g, ${free.id}, 'free', now() FROM generate_series(1, ${n}) AS g`;
  const bigId = "bench-w-1";
  const m = ADMIN_LEDGER_ENTRIES;
  await db.$executeRaw`INSERT INTO "ExtrasLot" (id, "workspaceId", source, "sourceRef", units, remaining, "createdAt") VALUES ('bench-big-lot', ${bigId}, 'adjustment', 'bench-big', ${m}, ${m / 2}, now())`;
  await db.$executeRaw`INSERT INTO "LedgerEntry" (id, "workspaceId", seq, "lotId", kind, units, "balanceAfter", "causeType", "causeId", "createdAt")
    SELECT 'bench-big-' || g, ${bigId}, g, 'bench-big-lot',
      (CASE WHEN g % 2 = 1 THEN 'adjustment' ELSE 'debit' END)::"LedgerKind",
      CASE WHEN g % 2 = 1 THEN 2 ELSE -1 END,
      ((g + 1) / 2) * 2 - (g / 2),
      CASE WHEN g % 2 = 1 THEN 'operator' ELSE 'usage_event' END, 'bench-big-cause-' || g,
      now() - make_interval(secs => ${m} - g)
    FROM generate_series(1, ${m}) AS g`;
  await db.$executeRaw`INSERT INTO "ExtrasAccount" ("workspaceId", balance, "lastSeq", "updatedAt") VALUES (${bigId}, ${m / 2}, ${m}, now())`;
  await db.$executeRaw`ANALYZE`;
  await db.user.update({ where: { email: LOGIN.email }, data: { operator: true } });
  return { bigId };
}

async function timeRenders(url: string, cookie: string): Promise<number[]> {
  const fetchOnce = async () => {
    const t0 = performance.now();
    const r = await fetch(url, { headers: { cookie }, redirect: "manual" });
    await r.text(); // the page streams: the render ends with the last byte
    if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < WARMUP; i++) await fetchOnce();
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await fetchOnce());
  return samples;
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms)));
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

export const renderSuite: BenchSuite = {
  name: "render",
  description: `billing overview server render with ${LEDGER_ENTRIES} ledger entries and ${FEATURES} features, console workspaces and workspace pages with ${ADMIN_WORKSPACES} workspaces and ${ADMIN_LEDGER_ENTRIES} ledger entries (p50/p99 of ${SAMPLES}), and gzip JavaScript per billing page in Chromium`,
  async run(report) {
    const previousDist = process.env.NEXT_DIST_DIR;
    process.env.NEXT_DIST_DIR ||= ".next-bench";
    const server = await startAppServer({ databaseSuffix: "bench_render", poolMax: 10, log: "test-results/bench-render-server.log" });
    // Seeding a million ledger entries in one statement outlasts the app's 15 s statement timeout on a busy machine.
    const db = createDb(server.databaseUrl, 4, { connectMs: 3_000, statementMs: 600_000 });
    const executablePath = process.env.CHROMIUM_PATH || (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);
    let browser: Browser | undefined;
    try {
      // Inside the try: a browser that cannot start must not leave the server running.
      browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
      const b = browser;
      await withDeadline(
        (async () => {
          const { slug } = await seed(db);
          const { bigId } = await seedConsole(db);
          const context = await b.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
          const page = await context.newPage();
          await page.goto("/sign-in");
          await page.getByLabel("Email").fill(LOGIN.email);
          await page.getByLabel("Password").fill(LOGIN.password);
          await page.getByRole("button", { name: "Sign in" }).click();
          await page.waitForURL(/\/w\//);
          const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");

          const p99 = new Map<string, number>();
          const pages: [string, string][] = [
            ["billing", `/w/${slug}/billing`],
            ["ledger", `/w/${slug}/ledger`],
            ["admin.workspaces", "/admin/workspaces"],
            ["admin.workspace", `/admin/workspaces/${bigId}`],
          ];
          for (const [name, path] of pages) {
            const samples = await timeRenders(`${server.baseUrl}${path}`, cookie);
            p99.set(name, percentile(samples, 99));
            report({ name: `render.${name}.p50`, value: round(percentile(samples, 50), 1), unit: "ms" });
            report({ name: `render.${name}.p99`, value: round(percentile(samples, 99), 1), unit: "ms" });
          }
          // The console at 10,000 workspaces and 1,000,000 ledger entries against the customer's billing overview.
          const admin = Math.max(p99.get("admin.workspaces")!, p99.get("admin.workspace")!);
          report({ name: "ratio.render.admin", value: round(admin / p99.get("billing")!, 2), unit: "x" });

          // What a first visit of each page downloads: every script, gzipped as the server would send it.
          for (const name of PAGES) {
            const fresh = await b.newContext({ baseURL: server.baseUrl, storageState: await context.storageState() });
            const tab = await fresh.newPage();
            const scripts = new Map<string, Promise<Buffer>>();
            tab.on("response", (r) => {
              // A script still arriving when the tab closes has no body to read: it must not crash the run.
              if (r.request().resourceType() === "script" && r.ok()) scripts.set(r.url(), r.body().catch(() => Buffer.alloc(0)));
            });
            const response = await tab.goto(`/w/${slug}/${name}`, { waitUntil: "networkidle" });
            const status = response?.status() ?? 0;
            let bytes = 0;
            for (const body of scripts.values()) bytes += gzipSync(await body).length;
            await fresh.close();
            if (status >= 400) {
              console.error(`# render: /w/<slug>/${name} answered ${status}; its JavaScript is not reported`);
              continue;
            }
            report({ name: `js.${name}`, value: bytes, unit: "bytes" });
          }
          await context.close();
        })(),
        DEADLINE_MS,
        "the render suite",
      );
    } finally {
      await browser?.close();
      await db.$disconnect();
      await server.stop();
      if (previousDist === undefined) delete process.env.NEXT_DIST_DIR;
      else process.env.NEXT_DIST_DIR = previousDist;
    }
  },
};
