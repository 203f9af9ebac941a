import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CONFIGURED_ACCOUNT, type AccountSetup } from "./account";
import { buildRouter, handleApi } from "./api";
import { Emulator, type DunningConfig } from "./emulator";
import { Params, parseForm } from "./form";
import { runDue } from "./engine/lifecycle";
import { StripeError } from "./errors";
import { putCustomerOnClock } from "./resources/test-clocks";
import { checkoutPage } from "./pages/checkout-page";
import { invoicePage } from "./pages/invoice-page";
import type { PageResponse } from "./pages/html";
import { portalPage } from "./pages/portal-page";

export interface StripeEmulatorOptions {
  /** Port to listen on; 0 or undefined picks a free one. */
  port?: number;
  host?: string;
  /** Events are delivered here, signed with `webhookSecret` (e.g. http://127.0.0.1:3000/api/webhooks/stripe). */
  webhookUrl?: string;
  /** The signing secret (STRIPE_WEBHOOK_SECRET); also used for endpoints registered through the API. */
  webhookSecret: string;
  /** Delay before each retry of a failed delivery (default 5 s, 30 s, 2 min, 10 min, 1 h). */
  retryDelaysMs?: number[];
  /** Per-attempt delivery timeout (default 10 s). */
  webhookTimeoutMs?: number;
  /** Base of hosted page URLs (default http://127.0.0.1:<port>). */
  publicUrl?: string;
  /** Renewal retry schedule (default days 3, 5, 7 after the first failure, then unpaid). */
  dunning?: Partial<DunningConfig>;
  /** Shown on hosted pages, invoices and statement descriptors (default "Tally"). */
  accountName?: string;
  /** How often objects without a test clock are checked for renewals and trial ends (default 10 s; 0 = never). */
  tickMs?: number;
  /** The rate Stripe Tax applies where automatic tax is on (invoices, checkout, tax calculations), in percent (default 0). */
  taxPercent?: number;
  /** How long a test clock advance stays `advancing` before its work runs (default 25 ms; Stripe takes seconds). */
  clockAdvanceMs?: number;
  /**
   * What the account has set up (default: both, as the tests' account): `{ stripeTax: false }` makes every
   * automatic-tax request fail as on an account without Stripe Tax, `{ portalConfiguration: false }` leaves no
   * default portal configuration, so portal sessions need one created through the API.
   */
  account?: Partial<AccountSetup>;
  /** Network latency to imitate: each API request (/v1) waits this long before it is handled (default 0). */
  latencyMs?: number;
  /** Seconds a bank debit (us_bank_account) takes to settle on the customer's clock (default 60). */
  debitSettleSeconds?: number;
  log?: (line: string) => void;
}

export interface StripeEmulatorHandle {
  url: string;
  port: number;
  emulator: Emulator;
  /** The endpoint created for `webhookUrl`, if any. */
  webhookEndpointId: string | null;
  /** Points the startup endpoint at another URL (creating it if there was none). */
  setWebhookUrl(url: string): void;
  /** Sends a stored event again to every enabled endpoint (like `stripe events resend`). */
  redeliver(eventId: string): boolean;
  /** Resolves once no webhook delivery is queued, in flight or waiting for a retry. */
  idle(): Promise<void>;
  /** Changes the imitated latency of API requests (see `latencyMs`); requests already waiting keep theirs. */
  setLatency(ms: number): void;
  /** Changes the tax rate automatic tax applies from now on (see `taxPercent`). */
  setTaxPercent(percent: number): void;
  /** Forgets every object and event (keeps the startup webhook endpoint). */
  reset(): void;
  stop(): Promise<void>;
}

const DEFAULT_RETRY_DELAYS = [5_000, 30_000, 120_000, 600_000, 3_600_000];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendPage(res: ServerResponse, out: PageResponse): void {
  if (out.redirect) {
    res.writeHead(out.status, { location: out.redirect, "content-length": "0" });
    res.end();
    return;
  }
  const body = out.html ?? "";
  res.writeHead(out.status, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body, null, 2) + "\n";
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Starts the emulator in this process. */
export async function startStripeEmulator(options: StripeEmulatorOptions): Promise<StripeEmulatorHandle> {
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? ((line: string) => console.warn(line));
  const router = buildRouter();
  let em: Emulator | null = null;
  let webhookEndpointId: string | null = null;
  let webhookUrl = options.webhookUrl ?? null;
  let latencyMs = options.latencyMs ?? 0;

  const registerStartupEndpoint = (e: Emulator) => {
    webhookEndpointId = webhookUrl ? e.addWebhookEndpoint(webhookUrl, ["*"], { description: "Startup endpoint" }, options.webhookSecret).endpoint.id : null;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (!em) return sendJson(res, 503, { error: { type: "api_error", message: "starting" } });
      const url = new URL(req.url ?? "/", "http://emulator.local");
      const method = (req.method ?? "GET").toUpperCase();
      const parts = url.pathname.split("/").filter(Boolean);
      if (parts[0] === "v1") {
        if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
        const out = handleApi(em, router, req, body);
        return sendJson(res, out.status, out.body, out.headers);
      }
      const form = new Params(method === "POST" ? parseForm(body) : {});
      const query = new Params(parseForm(url.search.slice(1)));
      const hosted = (out: PageResponse) => {
        em!.flushLater();
        sendPage(res, out);
      };
      if (parts[0] === "checkout" && parts.length === 2) return hosted(checkoutPage(em, parts[1]!, method, form));
      if (parts[0] === "portal" && parts.length === 2) return hosted(portalPage(em, parts[1]!, method, form, query));
      if (parts[0] === "invoices" && parts.length >= 2) return hosted(invoicePage(em, parts[1]!, method, form));
      if (parts[0] === "__emulator") {
        if (parts[1] === "health") return sendJson(res, 200, { ok: true });
        if (parts[1] === "reset" && method === "POST") {
          handle.reset();
          return sendJson(res, 200, { ok: true });
        }
        if (parts[1] === "deliveries") return sendJson(res, 200, { data: em.webhooks.attempts });
        // A customer the code under test created, moved onto a new test clock (Stripe cannot do this), so a
        // test can advance its time with the ordinary test clock endpoints.
        if (parts[1] === "customers" && parts[3] === "test_clock" && parts.length === 4 && method === "POST") {
          try {
            const clock = putCustomerOnClock(em, parts[2]!, form.str("name") ?? null);
            em.flushLater();
            return sendJson(res, 200, clock);
          } catch (err) {
            if (err instanceof StripeError) return sendJson(res, err.status, err.toJSON());
            throw err;
          }
        }
        if (parts[1] === "tax" && method === "POST") {
          const percent = Number(form.str("percent"));
          if (!Number.isFinite(percent) || percent < 0 || percent > 100) return sendJson(res, 400, { error: { type: "invalid_request_error", message: "percent must be a number from 0 to 100", param: "percent" } });
          handle.setTaxPercent(percent);
          return sendJson(res, 200, { tax_percent: em.config.taxPercent });
        }
        if (parts[1] === "events" && parts[3] === "redeliver" && method === "POST") {
          if (!handle.redeliver(parts[2] ?? "")) return sendJson(res, 404, { error: { type: "invalid_request_error", message: "No such event" } });
          return sendJson(res, 200, { ok: true });
        }
      }
      sendJson(res, 404, { error: { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${url.pathname}).` } });
    })().catch((err: unknown) => {
      log(`stripe emulator: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) sendJson(res, 500, { error: { type: "api_error", message: "Internal error in the emulator" } });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  em = new Emulator({
    publicUrl: (options.publicUrl ?? url).replace(/\/$/, ""),
    webhookSecret: options.webhookSecret,
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    dunning: { retryDays: options.dunning?.retryDays ?? [3, 5, 7], finalAction: options.dunning?.finalAction ?? "unpaid" },
    accountName: options.accountName ?? "Tally",
    taxPercent: options.taxPercent ?? 0,
    clockAdvanceMs: options.clockAdvanceMs ?? 25,
    debitSettleSeconds: options.debitSettleSeconds ?? 60,
    account: { ...CONFIGURED_ACCOUNT, ...options.account },
    log,
  });
  registerStartupEndpoint(em);
  const emulator = em;

  const tickMs = options.tickMs ?? 10_000;
  const tick = () => {
    try {
      runDue(emulator, null, emulator.realNow());
    } catch (err) {
      log(`stripe emulator: renewal tick failed: ${err instanceof Error ? err.stack : String(err)}`);
    }
  };
  const ticker = tickMs > 0 ? setInterval(tick, tickMs) : null;
  ticker?.unref();

  const handle: StripeEmulatorHandle = {
    url,
    port,
    emulator,
    get webhookEndpointId() {
      return webhookEndpointId;
    },
    setWebhookUrl(next: string) {
      webhookUrl = next;
      const endpoint = webhookEndpointId ? emulator.store.webhookEndpoints.get(webhookEndpointId) : undefined;
      if (endpoint) endpoint.url = next;
      else registerStartupEndpoint(emulator);
    },
    redeliver(eventId: string) {
      const event = emulator.store.events.get(eventId);
      if (!event) return false;
      emulator.webhooks.enqueue(event, [...emulator.store.webhookEndpoints.values()]);
      return true;
    },
    async idle() {
      // Clock advances first: their events are deliveries too.
      while (emulator.advances.size > 0) await Promise.all([...emulator.advances]);
      await emulator.webhooks.idle();
    },
    setLatency(ms: number) {
      latencyMs = Math.max(0, ms);
    },
    setTaxPercent(percent: number) {
      emulator.config.taxPercent = Math.max(0, percent);
    },
    reset() {
      emulator.reset();
      registerStartupEndpoint(emulator);
    },
    async stop() {
      if (ticker) clearInterval(ticker);
      emulator.webhooks.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return handle;
}
