import { createServer, type Server } from "node:http";
import pg from "pg";
import type { AddressInfo } from "node:net";
import { db } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { createStripeClient, signTestPayload, syncStripeCatalog, setStripeClient, type Stripe } from "@/lib/stripe";
import { handleStripeWebhook, startPackCheckout, startPlanCheckout } from "@/lib/payments";
import { topupExtras } from "@/lib/billing";
import { FRESH_ACCOUNT, startStripeEmulator, type StripeEmulatorHandle } from "@tally/stripe-emulator";
import { advanceTestClock, CARDS, payOnHostedPage, payWithAuthentication } from "@tally/stripe-emulator/testing";
import { ensureCatalog, newOwner } from "../../helpers/factories";

export { CARDS };

export interface PaymentsEnv {
  emulator: StripeEmulatorHandle;
  stripe: Stripe;
  /** Deliveries the emulator made to the app's handler (when started with `deliver`). */
  deliveries: { type: string; id: string; status: number }[];
  /** With `deliver`: the base URL whose /api/webhooks/stripe hands requests to the app's webhook handler. */
  appUrl: string | null;
  stop(): Promise<void>;
}

/**
 * An emulator on a free port with the app's Stripe client pointed at it and the catalog synced to it.
 * With `deliver`, the emulator's webhooks go to a local server that hands each request to the app's
 * webhook handler, as the route would (on `db` when given, else the app's client); without it, tests deliver events themselves.
 * With `fresh`, the account is as Stripe hands out a new one: Stripe Tax not set up, no portal configuration,
 * no webhook endpoint and no catalog (what `npm run stripe:setup` is for); the local server then gets only the
 * events of an endpoint created later for `appUrl`.
 */
export async function startPayments(opts: { deliver?: boolean; fresh?: boolean; db?: PrismaClient } = {}): Promise<PaymentsEnv> {
  // PGlite (the embedded default) is one backend that serves one connection at a time; there the app's client
  // gets one connection (as `npm run dev` does).
  if (await onPglite()) process.env.DATABASE_POOL_MAX = "1";
  const deliveries: PaymentsEnv["deliveries"] = [];
  let server: Server | null = null;
  let webhookUrl: string | undefined;
  let appUrl: string | null = null;
  if (opts.deliver) {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const request = new Request("http://app.local/api/webhooks/stripe", { method: "POST", body, headers: { "stripe-signature": String(req.headers["stripe-signature"] ?? ""), "content-type": "application/json" } });
        void handleStripeWebhook(request, opts.db ? { db: opts.db } : {}).then(async (out) => {
          try {
            const parsed = JSON.parse(body) as { id: string; type: string };
            deliveries.push({ id: parsed.id, type: parsed.type, status: out.status });
          } catch {
            /* not JSON: recorded by status only */
          }
          res.writeHead(out.status, { "content-type": "application/json" }).end(await out.text());
        });
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    webhookUrl = `${appUrl}/api/webhooks/stripe`;
  }
  const emulator = await startStripeEmulator({
    port: 0,
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET!,
    webhookUrl: opts.fresh ? undefined : webhookUrl,
    retryDelaysMs: [50, 100, 200],
    tickMs: 0,
    ...(opts.fresh ? { account: FRESH_ACCOUNT } : {}),
    log: () => {},
  });
  const stripe = createStripeClient({ secretKey: "sk_test_emulator", apiBase: emulator.url });
  setStripeClient(stripe);
  // What an earlier file read of its own emulator's tax settings is not this account's (a port can come round again).
  await db().stripeAccountState.deleteMany();
  await ensureCatalog();
  if (!opts.fresh) await syncStripeCatalog(db(), stripe);
  return {
    emulator,
    stripe,
    deliveries,
    appUrl,
    async stop() {
      setStripeClient(undefined);
      await emulator.stop();
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

/** Calls the webhook handler with `event` signed like Stripe signs it (or as told). */
export async function deliver(event: Stripe.Event | string, opts: { secret?: string; timestamp?: number; signature?: string | null; body?: string } = {}): Promise<Response> {
  const payload = opts.body ?? (typeof event === "string" ? event : JSON.stringify(event, null, 2));
  const signed = typeof event === "string" ? event : JSON.stringify(event, null, 2);
  const signature = opts.signature === undefined ? signTestPayload(signed, opts.secret ?? process.env.STRIPE_WEBHOOK_SECRET!, opts.timestamp) : opts.signature;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== null) headers["stripe-signature"] = signature;
  return handleStripeWebhook(new Request("http://app.local/api/webhooks/stripe", { method: "POST", body: payload, headers }));
}

/** Stripe's events of one type (newest first), as the events API lists them. */
export async function eventsOf(stripe: Stripe, type: string): Promise<Stripe.Event[]> {
  const out: Stripe.Event[] = [];
  for await (const e of stripe.events.list({ type, limit: 100 })) out.push(e);
  return out;
}

/** Pays a checkout session on the emulator's hosted page (a 3-D Secure card completes the bank's challenge). */
export async function pay(url: string, card = CARDS.ok): Promise<void> {
  const res = card === CARDS.authAlways || card === CARDS.authUnlessSetUp ? await payWithAuthentication(url, card) : await payOnHostedPage(url, card);
  if (res.status >= 400) throw new Error(`checkout page answered ${res.status}: ${await res.text()}`);
}

/** The stored events of `type` about the object `objectId`, oldest first. */
export async function eventsAbout(stripe: Stripe, type: string, objectId: string): Promise<Stripe.Event[]> {
  return (await eventsOf(stripe, type)).filter((e) => (e.data.object as { id: string }).id === objectId).reverse();
}

/**
 * Delivers `event` three times as Stripe may: once, again with the same id (a retry), and as a copy under a
 * new id (the same change reported twice). Each is answered 200; only the first may change anything.
 */
export async function deliverThrice(event: Stripe.Event): Promise<void> {
  for (const e of [event, event, { ...event, id: `${event.id}_again` }]) {
    const res = await deliver(e);
    if (res.status !== 200) throw new Error(`${e.type} ${e.id} answered ${res.status}: ${await res.text()}`);
  }
}

export const requestKey = () => `req_${crypto.randomUUID().replaceAll("-", "")}`;

/** A new owner with a workspace (Free) and that workspace's id and slug. */
export async function newWorkspace(label = "pay") {
  const { user, workspace } = await newOwner(label);
  return { userId: user.id, email: user.email, workspaceId: workspace.id, slug: workspace.slug };
}

export async function subscriptionOf(workspaceId: string) {
  return db().subscription.findUniqueOrThrow({ where: { workspaceId }, include: { plan: true } });
}

async function onPglite(): Promise<boolean> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return /PGlite/i.test((await c.query<{ v: string }>("SELECT version() AS v")).rows[0]!.v);
  } finally {
    await c.end();
  }
}

/**
 * A workspace whose Stripe customer runs on its own test clock, subscribed to `planKey` through checkout
 * (the emulator must deliver events, or the caller syncs). `advanceTo` moves that clock and waits for the webhooks.
 */
export async function subscribedOnClock(env: PaymentsEnv, planKey: string, label: string, card = CARDS.ok) {
  const ws = await newWorkspace(label);
  const start = Math.floor(Date.now() / 1000);
  const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: start });
  const customer = await env.stripe.customers.create({ name: label, metadata: { workspaceId: ws.workspaceId }, test_clock: clock.id });
  await db().workspace.update({ where: { id: ws.workspaceId }, data: { stripeCustomerId: customer.id } });
  const { url } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey, interval: "month", requestKey: requestKey() });
  await pay(url, card);
  await env.emulator.idle();
  const row = await subscriptionOf(ws.workspaceId);
  if (row.plan.key !== planKey || row.status !== "active") throw new Error(`checkout left ${row.plan.key} ${row.status}, not ${planKey} active`);
  let time = start;
  const advanceTo = async (t: number) => {
    time = t;
    await advanceTestClock(env.stripe, clock.id, t);
    await env.emulator.idle();
  };
  return { ...ws, clock, customerId: customer.id, subscriptionId: row.stripeSubscriptionId!, advanceTo, now: () => time, periodEnd: Math.floor(row.currentPeriodEnd!.getTime() / 1000) };
}

/** A Free workspace whose Stripe customer runs on its own test clock (`advanceTo` moves it and waits for the webhooks). */
export async function workspaceOnClock(env: PaymentsEnv, label: string) {
  const ws = await newWorkspace(label);
  const start = Math.floor(Date.now() / 1000);
  const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: start });
  const customer = await env.stripe.customers.create({ name: label, metadata: { workspaceId: ws.workspaceId }, test_clock: clock.id });
  await db().workspace.update({ where: { id: ws.workspaceId }, data: { stripeCustomerId: customer.id } });
  const advanceTo = async (t: number) => {
    await advanceTestClock(env.stripe, clock.id, t);
    await env.emulator.idle();
  };
  return { ...ws, clock, customerId: customer.id, start, advanceTo };
}

/** A Free workspace that bought one pack through checkout (so its card is saved): 500 extras, credited as checkout.session.completed would. */
export async function boughtPack(env: PaymentsEnv, label: string) {
  const ws = await newWorkspace(label);
  const { url, sessionId } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
  await pay(url);
  await topupExtras(db(), { workspaceId: ws.workspaceId, pack: "compute_500", checkoutSessionId: sessionId });
  const customer = (await db().workspace.findUniqueOrThrow({ where: { id: ws.workspaceId } })).stripeCustomerId!;
  const session = await env.stripe.checkout.sessions.retrieve(sessionId);
  return { ...ws, customer, session };
}
