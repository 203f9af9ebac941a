import pg from "pg";
import type { Client } from "@/lib/db";
import { messageOf } from "@/lib/errors";
import { runDeliveries, type DeliveryOptions } from "./deliver";

// Sending right after commit, in the process: the outbox triggers NOTIFY `tally_webhooks`, which PostgreSQL
// delivers once the change commits; every instance listening starts a delivery run (they share the work by
// claiming, never the same delivery at once). A periodic sweep sends retries as they come due, and the cron
// route /api/cron/webhooks is the backstop where no process stays up to listen (serverless).

interface SenderState {
  running: Promise<void> | null;
  again: boolean;
}
const state = ((globalThis as unknown as { tallyWebhookSender?: SenderState }).tallyWebhookSender ??= { running: null, again: false });

// A database outage would otherwise print the same line every sweep.
let lastLogged = "";
function logOnce(line: string) {
  if (line !== lastLogged) console.error(line);
  lastLogged = line;
}

/** Starts a delivery run unless one is running in this process (then it runs once more when done); never waits. */
export function kickDeliveries(db: Client, options: DeliveryOptions = {}): Promise<void> {
  if (state.running) {
    state.again = true;
    return state.running;
  }
  state.running = (async () => {
    do {
      state.again = false;
      await runDeliveries(db, options);
    } while (state.again);
  })()
    .catch((e: unknown) => logOnce(`[webhooks] delivery run failed: ${messageOf(e)}`))
    .finally(() => {
      state.running = null;
    });
  return state.running;
}

export interface SenderHandle {
  stop(): Promise<void>;
}

/** Listens for new events on its own connection (reconnecting after a failure) and sweeps every `sweepMs`. */
export function startWebhookSender(url: string, db: Client, sweepMs = 5_000): SenderHandle {
  let client: pg.Client | null = null;
  let stopped = false;
  const kick = () => void kickDeliveries(db);
  const listen = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url, keepAlive: true });
    c.on("notification", kick);
    c.on("error", () => undefined);
    c.on("end", () => {
      client = null;
      if (!stopped) setTimeout(() => void listen(), 2_000).unref();
    });
    try {
      await c.connect();
      await c.query("LISTEN tally_webhooks");
      client = c;
      lastLogged = "";
      kick();
    } catch (e) {
      logOnce(`[webhooks] cannot listen for new events (sending on the ${sweepMs} ms sweep): ${messageOf(e)}`);
      await c.end().catch(() => undefined);
    }
  };
  void listen();
  const timer = setInterval(kick, sweepMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await client?.end().catch(() => undefined);
      await state.running;
    },
  };
}
