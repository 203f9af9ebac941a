import { createHmac } from "node:crypto";
import type { StripeEvent, WebhookEndpoint } from "./types";

/** `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe signs deliveries. */
export function signPayload(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${v1}`;
}

export interface DeliveryAttempt {
  eventId: string;
  endpointId: string;
  url: string;
  attempt: number;
  at: number;
  status: number | null;
  error: string | null;
}

interface Job {
  event: StripeEvent;
  endpointId: string;
  attempt: number;
}

export interface DelivererOptions {
  retryDelaysMs: number[];
  timeoutMs: number;
  endpoint(id: string): { endpoint: WebhookEndpoint; secret: string } | undefined;
  log?: (line: string) => void;
}

/**
 * Delivers events to each endpoint in the order they happened (one request at a time per
 * endpoint); a failed delivery (non-2xx or no answer) is retried after each of `retryDelaysMs`
 * without holding back later events. Never blocks the API response that caused the event.
 */
export class WebhookDeliverer {
  readonly attempts: DeliveryAttempt[] = [];
  private queues = new Map<string, Job[]>();
  private running = new Set<string>();
  private timers = new Set<NodeJS.Timeout>();
  private waiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly opts: DelivererOptions) {}

  enqueue(event: StripeEvent, endpoints: WebhookEndpoint[]): void {
    for (const endpoint of endpoints) {
      if (endpoint.status !== "enabled") continue;
      if (!endpoint.enabled_events.includes("*") && !endpoint.enabled_events.includes(event.type)) continue;
      event.pending_webhooks++;
      this.push({ event, endpointId: endpoint.id, attempt: 1 });
    }
  }

  /** Resolves once nothing is queued, in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.dropQueued();
    this.notifyIdle();
  }

  reset(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.dropQueued();
    this.attempts.length = 0;
    this.notifyIdle();
  }

  /** Empties the queues in place, so a delivery loop already running stops after its current request. */
  private dropQueued(): void {
    for (const queue of this.queues.values()) queue.length = 0;
    this.queues.clear();
  }

  private isIdle(): boolean {
    return this.running.size === 0 && this.timers.size === 0 && [...this.queues.values()].every((q) => q.length === 0);
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.waiters.splice(0);
    for (const w of waiters) w();
  }

  private push(job: Job): void {
    if (this.stopped) return;
    const queue = this.queues.get(job.endpointId) ?? [];
    queue.push(job);
    this.queues.set(job.endpointId, queue);
    setImmediate(() => void this.drain(job.endpointId));
  }

  private async drain(endpointId: string): Promise<void> {
    if (this.running.has(endpointId)) return;
    this.running.add(endpointId);
    try {
      let job: Job | undefined;
      while (!this.stopped && (job = this.queues.get(endpointId)?.shift())) await this.deliver(job);
    } finally {
      this.running.delete(endpointId);
      this.notifyIdle();
    }
  }

  private async deliver(job: Job): Promise<void> {
    const target = this.opts.endpoint(job.endpointId);
    if (!target || target.endpoint.status !== "enabled") {
      job.event.pending_webhooks = Math.max(0, job.event.pending_webhooks - 1);
      return;
    }
    const body = JSON.stringify(job.event, null, 2);
    const record: DeliveryAttempt = {
      eventId: job.event.id,
      endpointId: job.endpointId,
      url: target.endpoint.url,
      attempt: job.attempt,
      at: Date.now(),
      status: null,
      error: null,
    };
    this.attempts.push(record);
    try {
      const res = await fetch(target.endpoint.url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          "stripe-signature": signPayload(body, target.secret),
        },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      record.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        job.event.pending_webhooks = Math.max(0, job.event.pending_webhooks - 1);
        return;
      }
      record.error = `HTTP ${res.status}`;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    this.retryLater(job, record);
  }

  private retryLater(job: Job, record: DeliveryAttempt): void {
    const delay = this.opts.retryDelaysMs[job.attempt - 1];
    if (delay === undefined || this.stopped) {
      this.opts.log?.(`webhook ${job.event.type} ${job.event.id} to ${record.url} gave up after ${job.attempt} attempts (${record.error})`);
      job.event.pending_webhooks = Math.max(0, job.event.pending_webhooks - 1);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.push({ ...job, attempt: job.attempt + 1 });
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }
}
