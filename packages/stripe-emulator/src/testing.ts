import { afterAll, beforeAll, beforeEach } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { startStripeEmulator, type StripeEmulatorHandle, type StripeEmulatorOptions } from "./server";

export const WEBHOOK_SECRET = "whsec_test_emulator_secret";

export interface ReceivedWebhook {
  body: string;
  signature: string;
  event: Stripe.Event;
}

/** A local endpoint that verifies signatures with the SDK and can be told to fail. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Answer 500 to this many deliveries before answering 200. */
  failNext = 0;
  failedDeliveries: string[] = [];
  private server: Server | null = null;
  url = "";

  constructor(private readonly stripe: Stripe) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const signature = String(req.headers["stripe-signature"] ?? "");
        let event: Stripe.Event;
        try {
          event = this.stripe.webhooks.constructEvent(body, signature, WEBHOOK_SECRET);
        } catch {
          res.writeHead(400).end("bad signature");
          return;
        }
        if (this.failNext > 0) {
          this.failNext--;
          this.failedDeliveries.push(event.id);
          res.writeHead(500).end("failing on purpose");
          return;
        }
        this.received.push({ body, signature, event });
        res.writeHead(200, { "content-type": "application/json" }).end('{"received":true}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook`;
    return this;
  }

  types(): string[] {
    return this.received.map((r) => r.event.type);
  }

  ofType<T extends Stripe.Event["type"]>(type: T): Extract<Stripe.Event, { type: T }>[] {
    return this.received.map((r) => r.event).filter((e): e is Extract<Stripe.Event, { type: T }> => e.type === type);
  }

  clear(): void {
    this.received.length = 0;
    this.failedDeliveries.length = 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface TestEnv {
  emulator: StripeEmulatorHandle;
  stripe: Stripe;
  hooks: WebhookReceiver;
  stop(): Promise<void>;
}

export async function startTestEnv(options: Partial<StripeEmulatorOptions> = {}): Promise<TestEnv> {
  const offline = new Stripe("sk_test_x");
  const hooks = await new WebhookReceiver(offline).start();
  const emulator = await startStripeEmulator({ webhookSecret: WEBHOOK_SECRET, webhookUrl: hooks.url, retryDelaysMs: [50, 100, 200], tickMs: 0, log: () => {}, ...options });
  const stripe = new Stripe("sk_test_x", { host: "127.0.0.1", port: emulator.port, protocol: "http", maxNetworkRetries: 0 });
  return {
    emulator,
    stripe,
    hooks,
    async stop() {
      await emulator.stop();
      await hooks.stop();
    },
  };
}

export interface Catalog {
  starter: Stripe.Price;
  pro: Stripe.Price;
  proAnnual: Stripe.Price;
  pack: Stripe.Price;
}

/** Starter $9.99/month, Pro $99/month and $990/year, a $20 one-time pack. */
export async function seedCatalog(stripe: Stripe): Promise<Catalog> {
  const starterProduct = await stripe.products.create({ name: "Starter" });
  const proProduct = await stripe.products.create({ name: "Pro" });
  const packProduct = await stripe.products.create({ name: "500 compute" });
  const starter = await stripe.prices.create({ product: starterProduct.id, currency: "usd", unit_amount: 999, recurring: { interval: "month" }, lookup_key: "starter_monthly" });
  const pro = await stripe.prices.create({ product: proProduct.id, currency: "usd", unit_amount: 9900, recurring: { interval: "month" }, lookup_key: "pro_monthly" });
  const proAnnual = await stripe.prices.create({ product: proProduct.id, currency: "usd", unit_amount: 99000, recurring: { interval: "year" }, lookup_key: "pro_annual" });
  const pack = await stripe.prices.create({ product: packProduct.id, currency: "usd", unit_amount: 2000, lookup_key: "pack_500" });
  return { starter, pro, proAnnual, pack };
}

export const CARDS = {
  ok: "4242 4242 4242 4242",
  declined: "4000 0000 0000 0002",
  failsLater: "4000 0000 0000 0341",
  refundFails: "4000 0000 0000 5126",
  insufficientFunds: "4000 0000 0000 9995",
  /** 3-D Secure for every payment until saved with an authentication. */
  authUnlessSetUp: "4000 0025 0000 3155",
  /** 3-D Secure for every payment. */
  authAlways: "4000 0027 6000 3184",
  disputed: "4000 0000 0000 0259",
};

/** Stripe's test bank accounts (routing 110000000) for US bank account debits. */
export const BANK = { routing: "110000000", settles: "000123456789", insufficientFunds: "000222222227", closed: "000111111113" };

/** Submits the hosted checkout page's form like a browser would (without following the redirect). */
export async function payOnHostedPage(url: string, card: string, email = "buyer@example.com"): Promise<Response> {
  const form = new URLSearchParams({ email, cardNumber: card, cardExpiry: "12 / 34", cardCvc: "123", billingName: "Ada Buyer" });
  return fetch(url, { method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded" }, redirect: "manual" });
}

/**
 * Pays on the hosted checkout page with a card that asks for 3-D Secure: the page answers with the test
 * challenge, which is then completed (or failed). Returns the last answer.
 */
export async function payWithAuthentication(url: string, card: string, outcome: "complete" | "fail" = "complete", email = "buyer@example.com"): Promise<Response> {
  const challenge = await payOnHostedPage(url, card, email);
  const token = /name="challenge" value="([^"]+)"/.exec(await challenge.text())?.[1];
  if (!token) throw new Error(`no 3-D Secure challenge on ${url} (status ${challenge.status})`);
  return postForm(url, { challenge: token, outcome });
}

/** Pays on the hosted checkout page by US bank account debit. */
export async function payByBankOnHostedPage(url: string, account: string, name = "Ada Buyer"): Promise<Response> {
  return postForm(url, { method: "us_bank_account", routingNumber: BANK.routing, accountNumber: account, accountHolderName: name });
}

export async function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: "POST", body: new URLSearchParams(fields), headers: { "content-type": "application/x-www-form-urlencoded" }, redirect: "manual" });
}

/**
 * Advances a test clock and polls it until it is ready again, as a client of Stripe does (advances are
 * asynchronous). Returns the ready clock; a clock that failed to advance is an error.
 */
export async function advanceTestClock(stripe: Stripe, clockId: string, frozenTime: number, pollMs = 10): Promise<Stripe.TestHelpers.TestClock> {
  let clock = await stripe.testHelpers.testClocks.advance(clockId, { frozen_time: frozenTime });
  const deadline = Date.now() + 60_000;
  while (clock.status === "advancing") {
    if (Date.now() > deadline) throw new Error(`test clock ${clockId} is still advancing`);
    await new Promise((r) => setTimeout(r, pollMs));
    clock = await stripe.testHelpers.testClocks.retrieve(clockId);
  }
  if (clock.status !== "ready") throw new Error(`test clock ${clockId} failed to advance (${clock.status})`);
  return clock;
}

/** Waits until every delivery has settled (including retries). */
export async function settled(env: TestEnv): Promise<void> {
  await env.emulator.idle();
}

/**
 * One emulator per test file, reset before each test with a fresh catalog and an empty webhook log.
 * `ready` receives them, so a file keeps its own `env` and `catalog` variables.
 */
export function emulatorPerFile(ready: (env: TestEnv, catalog: Catalog) => void): void {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv();
  });
  afterAll(async () => {
    await env.stop();
  });
  beforeEach(async () => {
    env.emulator.reset();
    const catalog = await seedCatalog(env.stripe);
    await settled(env);
    env.hooks.clear();
    ready(env, catalog);
  });
}
