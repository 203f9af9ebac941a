// `npm run stripe:setup [-- --dry-run]`: creates or updates on the Stripe account everything the app needs
// (catalog prices, billing portal configuration, webhook endpoint) and reports Stripe Tax's status. Idempotent:
// a second run changes nothing and says so. Reads DATABASE_URL (the migrated, seeded database whose catalog it
// syncs), STRIPE_SECRET_KEY, APP_URL, and STRIPE_API_BASE when pointed at another Stripe-compatible server.
import { z } from "zod";
import { createDb } from "../lib/db";
import { createStripeClient, PINNED_API_VERSION } from "../lib/stripe";
import { runStripeSetup } from "../lib/payments/stripe-setup";
import { loadEnvFiles } from "./lib/load-env";

loadEnvFiles();
const dryRun = process.argv.includes("--dry-run");
const blank = (v: unknown) => (v === "" ? undefined : v);
const parsed = z
  .object({
    DATABASE_URL: z.preprocess(blank, z.string({ error: "DATABASE_URL is required (the database whose plan catalog is synced)" }).regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")),
    APP_URL: z.preprocess(blank, z.url({ error: "APP_URL is required (the public URL the webhook endpoint points at)" })),
    STRIPE_SECRET_KEY: z.preprocess(blank, z.string().regex(/^(sk|rk)_(live|test)_/, "must be a Stripe secret or restricted key").optional()),
    STRIPE_API_BASE: z.preprocess(blank, z.url().optional()),
  })
  .superRefine((e, ctx) => {
    if (!e.STRIPE_SECRET_KEY && !e.STRIPE_API_BASE) ctx.addIssue({ code: "custom", path: ["STRIPE_SECRET_KEY"], message: "STRIPE_SECRET_KEY is required (the account to set up)" });
    if (e.STRIPE_SECRET_KEY?.includes("_live_") && !/^https:\/\//.test(e.APP_URL)) ctx.addIssue({ code: "custom", path: ["APP_URL"], message: "must be https:// for a live account" });
  })
  .safeParse(process.env);
if (!parsed.success) {
  console.error(`stripe:setup: cannot start:\n${parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  process.exit(1);
}
const e = parsed.data;
const secretKey = e.STRIPE_SECRET_KEY ?? "sk_test_emulator";
const where = e.STRIPE_API_BASE ? `the Stripe API at ${e.STRIPE_API_BASE}` : `Stripe (${secretKey.includes("_live_") ? "live" : "test"} mode)`;
console.log(`stripe:setup${dryRun ? " (dry run: nothing is changed)" : ""} on ${where}, API version ${PINNED_API_VERSION}, for ${e.APP_URL}`);

const db = createDb(e.DATABASE_URL, 2);
try {
  const client = createStripeClient({ secretKey, apiBase: e.STRIPE_API_BASE });
  const report = await runStripeSetup(db, client, { appUrl: e.APP_URL, dryRun });
  for (const line of report.lines) console.log(line);
  const n = report.changes.length;
  if (dryRun) console.log(n ? `stripe:setup (dry run): ${n} change${n === 1 ? "" : "s"} planned, nothing changed` : "stripe:setup (dry run): nothing to change, the account is set up");
  else console.log(n ? `stripe:setup: ${n} change${n === 1 ? "" : "s"} made` : "stripe:setup: nothing to change, the account is set up");
} catch (err) {
  console.error(`stripe:setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
