import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { configureAutoTopUp, recordUsage, registerPaymentsPort } from "@/lib/billing";
import { PINNED_API_VERSION } from "@/lib/stripe";
import {
  HANDLED_EVENT_TYPES, createStripePaymentsPort, openBillingPortal, runStripeSetup, startPackCheckout, startPlanCheckout, upgradeNow, type StripeSetupReport,
} from "@/lib/payments";
import { boughtPack, newWorkspace, pay, requestKey, startPayments, subscriptionOf, type PaymentsEnv } from "./helpers";

const run = promisify(execFile);

/** `npm run stripe:setup` as an operator runs it, against the emulator at `apiBase`, on this worker's database. */
async function setupCommand(apiBase: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, STRIPE_API_BASE: apiBase, STRIPE_SECRET_KEY: "sk_test_setup_command", APP_URL: "https://tally.example.com" };
  try {
    const { stdout, stderr } = await run("npm", ["run", "-s", "stripe:setup", "--", ...args], { env, timeout: 120_000 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

describe("npm run stripe:setup against a fresh emulator account", () => {
  let env: PaymentsEnv;
  beforeAll(async () => {
    env = await startPayments({ fresh: true });
  });
  afterAll(async () => {
    await env?.stop();
  });

  const account = async () => ({
    prices: (await env.stripe.prices.list({ limit: 100 })).data.map((p) => `${p.lookup_key}:${p.unit_amount}`).sort(),
    products: (await env.stripe.products.list({ limit: 100 })).data.map((p) => p.id).sort(),
    portal: (await env.stripe.billingPortal.configurations.list({ limit: 100 })).data.map((c) => c.id),
    webhooks: (await env.stripe.webhookEndpoints.list({ limit: 100 })).data.map((w) => ({ id: w.id, url: w.url, version: w.api_version, events: [...w.enabled_events].sort() })),
  });

  it("--dry-run prints the plan and changes nothing; the first run sets the account up; the second changes nothing and says so", async () => {
    const before = await account();
    expect(before).toEqual({ prices: [], products: [], portal: [], webhooks: [] });
    const storedIds = async () => [
      ...(await db().plan.findMany({ orderBy: { id: "asc" }, select: { stripeMonthlyPriceId: true, stripeAnnualPriceId: true } })),
      ...(await db().extrasPack.findMany({ orderBy: { id: "asc" }, select: { stripePriceId: true } })),
    ];
    const idsBefore = await storedIds();

    const dry = await setupCommand(env.emulator.url, "--dry-run");
    expect(dry.code, dry.out).toBe(0);
    expect(dry.out).toMatch(/would create price pro_v\d+_month at 99\.00 USD\/month/);
    expect(dry.out).toContain("would create a webhook endpoint for https://tally.example.com/api/webhooks/stripe");
    expect(dry.out).toMatch(/stripe:setup \(dry run\): \d+ changes planned, nothing changed/);
    expect(await account()).toEqual(before);
    expect(await storedIds()).toEqual(idsBefore);

    const first = await setupCommand(env.emulator.url);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/stripe:setup: \d+ changes made/);
    expect(first.out).toContain(`its signing secret (set STRIPE_WEBHOOK_SECRET to it; Stripe shows it only now): ${process.env.STRIPE_WEBHOOK_SECRET}`);
    expect(first.out).toContain("Stripe Tax: not set up (missing: head_office)");
    const after = await account();
    expect(after.prices.length).toBeGreaterThanOrEqual(9);
    expect(after.portal).toHaveLength(1);
    expect(after.webhooks).toEqual([{ id: expect.any(String), url: "https://tally.example.com/api/webhooks/stripe", version: PINNED_API_VERSION, events: [...HANDLED_EVENT_TYPES].sort() }]);
    // The app's catalog points at the account's prices.
    const pro = await db().plan.findFirstOrThrow({ where: { key: "pro", active: true }, orderBy: { version: "desc" } });
    expect((await env.stripe.prices.retrieve(pro.stripeMonthlyPriceId!)).lookup_key).toBe(pro.monthlyLookupKey);

    const second = await setupCommand(env.emulator.url);
    expect(second.code, second.out).toBe(0);
    expect(second.out).toContain("stripe:setup: nothing to change, the account is set up");
    expect(second.out).not.toContain("signing secret");
    expect(await account()).toEqual(after);
    expect((await setupCommand(env.emulator.url, "--dry-run")).out).toContain("stripe:setup (dry run): nothing to change, the account is set up");
  }, 240_000);

  it("puts back what was removed or changed in the Dashboard: an archived price, a webhook endpoint's events", async () => {
    const pack = await db().extrasPack.findUniqueOrThrow({ where: { key: "compute_500" } });
    await env.stripe.prices.update(pack.stripePriceId!, { active: false });
    const [endpoint] = (await env.stripe.webhookEndpoints.list()).data;
    await env.stripe.webhookEndpoints.update(endpoint!.id, { enabled_events: ["invoice.paid"], disabled: true });

    const repaired = await setupCommand(env.emulator.url);
    expect(repaired.code, repaired.out).toBe(0);
    expect(repaired.out).toContain(`create price ${pack.lookupKey} at 20.00 USD (its price ${pack.stripePriceId} is archived)`);
    expect(repaired.out).toContain(`updated webhook endpoint ${endpoint!.id}: enable it and set its events`);
    expect(repaired.out).toMatch(/stripe:setup: 2 changes made/);
    const now = await env.stripe.webhookEndpoints.retrieve(endpoint!.id);
    expect([now.status, [...now.enabled_events].sort()]).toEqual(["enabled", [...HANDLED_EVENT_TYPES].sort()]);
    // A new price takes over the lookup key from the archived one, and the app points at it.
    const fresh = await db().extrasPack.findUniqueOrThrow({ where: { key: "compute_500" } });
    expect(fresh.stripePriceId).not.toBe(pack.stripePriceId);
    const price = await env.stripe.prices.retrieve(fresh.stripePriceId!);
    expect([price.active, price.lookup_key, price.unit_amount]).toEqual([true, pack.lookupKey, 2000]);
    expect((await env.stripe.prices.retrieve(pack.stripePriceId!)).lookup_key).toBeNull();
    expect((await setupCommand(env.emulator.url)).out).toContain("nothing to change");
  }, 120_000);

  it("names what is missing instead of starting without it", async () => {
    const refused = async (vars: Record<string, string>) => {
      const e = (await run("npm", ["run", "-s", "stripe:setup"], { env: { ...process.env, ...vars } }).catch((err: unknown) => err)) as { code: number; stderr: string };
      expect(e.code).toBe(1);
      return e.stderr;
    };
    expect(await refused({ STRIPE_SECRET_KEY: "", STRIPE_API_BASE: "", APP_URL: "" })).toContain("APP_URL: APP_URL is required");
    expect(await refused({ STRIPE_SECRET_KEY: "", STRIPE_API_BASE: "", APP_URL: "https://tally.example.com" })).toContain("STRIPE_SECRET_KEY: STRIPE_SECRET_KEY is required");
    expect(await refused({ STRIPE_SECRET_KEY: "sk_live_0123456789abcdef", STRIPE_API_BASE: "", APP_URL: "http://tally.example.com" })).toContain("APP_URL: must be https:// for a live account");
  }, 120_000);
});

describe("a fresh account (Stripe Tax not set up, no portal configuration) after stripe:setup", () => {
  let env: PaymentsEnv;
  let report: StripeSetupReport;
  beforeAll(async () => {
    registerPaymentsPort(undefined);
    env = await startPayments({ deliver: true, fresh: true });
    // Were automatic tax asked for anywhere, this account would refuse it; were it applied, it would show.
    env.emulator.setTaxPercent(10);
  });
  afterAll(async () => {
    await env?.stop();
  });
  afterEach(() => {
    delete process.env.STRIPE_AUTOMATIC_TAX;
    resetEnvCache();
  });

  it("has no portal before setup: opening it is a plain 503, not Stripe's error", async () => {
    const ws = await newWorkspace("fresh-portal");
    await expect(openBillingPortal(db(), { workspaceId: ws.workspaceId, slug: ws.slug })).rejects.toMatchObject({ code: "billing_unavailable", message: "The billing portal is not available yet. Please try again later." });
  });

  it("sets up the catalog, a portal configuration and a webhook endpoint for the app, and reports Stripe Tax inactive", async () => {
    report = await runStripeSetup(db(), env.stripe, { appUrl: env.appUrl! });
    expect(report.tax).toEqual({ status: "pending", missingFields: ["head_office"] });
    expect(report.automaticTaxWhenAuto).toBe(false);
    expect(report.changes).toEqual(expect.arrayContaining([expect.stringMatching(/^created billing portal configuration bpc_/), expect.stringMatching(/^created webhook endpoint we_/)]));
    expect(report.webhookSecret).toBe(process.env.STRIPE_WEBHOOK_SECRET);
    expect((await runStripeSetup(db(), env.stripe, { appUrl: env.appUrl! })).changes).toEqual([]);
  });

  it("subscribes through checkout without automatic tax, learning it from the endpoint setup made", async () => {
    const ws = await newWorkspace("fresh-sub");
    const { url, sessionId } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month", requestKey: requestKey() });
    const session = await env.stripe.checkout.sessions.retrieve(sessionId);
    expect([session.automatic_tax.enabled, session.billing_address_collection]).toEqual([false, null]);
    await pay(url);
    await env.emulator.idle();
    const sub = await subscriptionOf(ws.workspaceId);
    expect([sub.plan.key, sub.status]).toEqual(["starter", "active"]);
    const invoice = await env.stripe.invoices.retrieve((await env.stripe.subscriptions.retrieve(sub.stripeSubscriptionId!)).latest_invoice as string);
    expect([invoice.status, invoice.subtotal, invoice.total]).toEqual(["paid", 999, 999]);
    // Only the endpoint setup created delivers, and only the handled types, each answered 200.
    expect(env.deliveries.length).toBeGreaterThan(0);
    for (const d of env.deliveries) expect([HANDLED_EVENT_TYPES.includes(d.type as never), d.status]).toEqual([true, 200]);
    expect(env.deliveries.map((d) => d.type)).toContain("checkout.session.completed");

    // An upgrade goes through too: the subscription carries no automatic tax, so nothing asks for it.
    await upgradeNow(db(), { workspaceId: ws.workspaceId, planKey: "pro", interval: "month", requestKey: requestKey() });
    expect((await subscriptionOf(ws.workspaceId)).plan.key).toBe("pro");
  });

  it("opens the portal on the configuration setup created", async () => {
    const ws = await newWorkspace("fresh-portal-after");
    const url = await openBillingPortal(db(), { workspaceId: ws.workspaceId, slug: ws.slug });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const session = env.emulator.emulator.store.portalSessions.get(url.split("/").pop()!);
    const [config] = (await env.stripe.billingPortal.configurations.list()).data;
    expect(session?.configuration).toBe(config!.id);
    expect(config).toMatchObject({ is_default: false, features: { payment_method_update: { enabled: true }, invoice_history: { enabled: true }, subscription_cancel: { enabled: true, mode: "at_period_end" }, subscription_update: { enabled: false } } });
  });

  it("sells a pack and tops up automatically without tax: no tax calculation is asked of an account without Stripe Tax", async () => {
    const { workspaceId, customer, session } = await boughtPack(env, "fresh-pack");
    expect([session.automatic_tax.enabled, session.amount_total]).toEqual([false, 2000]);
    await configureAutoTopUp(db(), { workspaceId, enabled: true, threshold: 450, pack: "compute_500", monthlyCap: 2 });
    await recordUsage(db(), { workspaceId, feature: "compute", units: 160, idempotencyKey: requestKey() }, { notifier: { async send() {} }, payments: createStripePaymentsPort(), waitForSideEffects: true });
    const attempts = await db().autoTopUpAttempt.findMany({ where: { workspaceId } });
    expect(attempts.map((a) => [a.status, a.error])).toEqual([["succeeded", null]]);
    const [pi] = (await env.stripe.paymentIntents.list({ customer, limit: 100 })).data.filter((p) => p.metadata.autoTopUpAttemptId);
    expect([pi!.amount, pi!.hooks?.inputs?.tax?.calculation ?? null, pi!.metadata.taxCents]).toEqual([2000, null, "0"]);
  });

  it("with STRIPE_AUTOMATIC_TAX=on, asks for tax anyway and gets Stripe's refusal", async () => {
    process.env.STRIPE_AUTOMATIC_TAX = "on";
    resetEnvCache();
    const ws = await newWorkspace("fresh-tax-on");
    await expect(startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() })).rejects.toThrow(
      "Stripe Tax has not been activated on your account.",
    );
  });
});
