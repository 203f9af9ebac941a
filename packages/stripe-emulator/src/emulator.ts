import Stripe from "stripe";
import { initialTaxSettings, seedAccount, type AccountSetup, type TaxSettings } from "./account";
import { buildEvent, changedAttributes, type RequestInfo } from "./events";
import { IdempotencyStore } from "./idempotency";
import { newId, randomToken } from "./ids";
import { Store } from "./store";
import type { StripeEvent, StripeObject, WebhookEndpoint } from "./types";
import { WebhookDeliverer } from "./webhooks";

export interface DunningConfig {
  /** Days after the first failed attempt on which a renewal is retried (default 3, 5, 7). */
  retryDays: number[];
  /** What happens to the subscription when the last retry fails (default "unpaid"). */
  finalAction: "unpaid" | "cancel";
}

export interface EmulatorConfig {
  publicUrl: string;
  webhookSecret: string;
  retryDelaysMs: number[];
  webhookTimeoutMs: number;
  dunning: DunningConfig;
  accountName: string;
  /** Stripe Tax's rate for every customer, in percent (0: tax is computed and is zero). */
  taxPercent: number;
  /** How long a test clock stays `advancing` before its work runs (Stripe takes seconds). */
  clockAdvanceMs: number;
  /** Seconds of the customer's clock a bank debit (us_bank_account) takes to settle. */
  debitSettleSeconds: number;
  /** Whether Stripe Tax and a default portal configuration are set up (see account.ts). */
  account: AccountSetup;
  log: (line: string) => void;
}

export const API_VERSION: string = Stripe.API_VERSION;

/** The emulator's state and the services every resource shares. */
export class Emulator {
  readonly store = new Store();
  readonly idempotency = new IdempotencyStore();
  readonly webhooks: WebhookDeliverer;
  /** Account-wide settings that are not objects with ids. */
  readonly account: { taxSettings: TaxSettings } = { taxSettings: initialTaxSettings(true) };
  private secrets = new Map<string, string>();
  /** The API request being handled (handlers run synchronously, so one at a time). */
  request: RequestInfo = { id: null, idempotency_key: null };
  /** What Stripe does a moment after the request that caused it (a dispute after a payment): run by flushLater. */
  private deferred: (() => void)[] = [];

  constructor(readonly config: EmulatorConfig) {
    this.webhooks = new WebhookDeliverer({
      retryDelaysMs: config.retryDelaysMs,
      timeoutMs: config.webhookTimeoutMs,
      log: config.log,
      endpoint: (id) => {
        const endpoint = this.store.webhookEndpoints.get(id);
        const secret = this.secrets.get(id);
        return endpoint && secret ? { endpoint, secret } : undefined;
      },
    });
    seedAccount(this, config.account);
  }

  /** Wall-clock time in Unix seconds. */
  realNow(): number {
    return Math.floor(Date.now() / 1000);
  }

  /** The time of a test clock (its frozen_time), or the wall clock. */
  clockNow(clockId: string | null | undefined): number {
    const clock = clockId ? this.store.testClocks.get(clockId) : undefined;
    return clock ? clock.frozen_time : this.realNow();
  }

  /** "Now" for objects of this customer: its test clock's frozen time when it has one. */
  now(customerId?: string | null): number {
    const customer = customerId ? this.store.customers.get(customerId) : undefined;
    return this.clockNow(customer?.test_clock);
  }

  clockOf(customerId: string | null | undefined): string | null {
    return (customerId && this.store.customers.get(customerId)?.test_clock) || null;
  }

  /** Records an event, lists it in /v1/events and queues its delivery to every endpoint. */
  emit(type: string, object: StripeObject, previous?: Record<string, unknown>): StripeEvent {
    const event = buildEvent(type, object, API_VERSION, this.request, previous);
    this.store.put(this.store.events, event);
    this.webhooks.enqueue(event, [...this.store.webhookEndpoints.values()]);
    return event;
  }

  /** Emits `type` with previous_attributes computed from a snapshot taken before the change. */
  emitChange(type: string, before: StripeObject, after: StripeObject, keys: string[]): StripeEvent | undefined {
    const previous = changedAttributes(before, after, keys);
    if (Object.keys(previous).length === 0) return undefined;
    return this.emit(type, after, previous);
  }

  /** Test clock advances still running (they finish after the advance request has answered, as on Stripe). */
  readonly advances = new Set<Promise<void>>();

  /** Queues work that Stripe does after the current request has answered (its events come after the request's). */
  later(fn: () => void): void {
    this.deferred.push(fn);
  }

  /** Runs the queued work; called once each request, hosted page or clock step is done. */
  flushLater(): void {
    const request = this.request;
    this.request = { id: null, idempotency_key: null };
    try {
      while (this.deferred.length) this.deferred.shift()!();
    } finally {
      this.request = request;
    }
  }

  /** Registers a webhook endpoint; `secret` defaults to the configured signing secret. */
  addWebhookEndpoint(url: string, enabledEvents: string[] = ["*"], extra: Partial<WebhookEndpoint> = {}, secret?: string): { endpoint: WebhookEndpoint; secret: string } {
    const endpoint: WebhookEndpoint = {
      id: newId("we"),
      object: "webhook_endpoint",
      api_version: null,
      application: null,
      created: this.realNow(),
      description: null,
      enabled_events: enabledEvents,
      livemode: false,
      metadata: {},
      status: "enabled",
      url,
      ...extra,
    };
    const signing = secret ?? (this.config.webhookSecret || `whsec_${randomToken(32)}`);
    this.store.put(this.store.webhookEndpoints, endpoint);
    this.secrets.set(endpoint.id, signing);
    return { endpoint, secret: signing };
  }

  removeWebhookEndpoint(id: string): void {
    this.store.webhookEndpoints.delete(id);
    this.secrets.delete(id);
  }

  reset(): void {
    this.deferred = [];
    this.store.reset();
    this.idempotency.reset();
    this.webhooks.reset();
    this.secrets.clear();
    seedAccount(this, this.config.account);
  }
}
