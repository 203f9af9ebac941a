// Tally's metering API from TypeScript: the typed openapi-fetch client (`raw`) for every path of the
// OpenAPI document, with retries on 429/503 and idempotency keys added, plus a method per common call
// that returns the answer or throws a TallyApiError with the API's code.
import createFetchClient, { type Client } from "openapi-fetch";
import { idempotencyMiddleware, newIdempotencyKey } from "./idempotency";
import { retryingFetch, retryAfterMs, type RetryOptions } from "./retry";
import type { components, paths } from "./schema";

export type { components, paths } from "./schema";
export { newIdempotencyKey } from "./idempotency";
export { retryAfterMs, type RetryOptions } from "./retry";

type Schemas = components["schemas"];
export type UsageRequest = Schemas["UsageRequest"];
export type UsageAnswer = Schemas["UsageAnswer"];
export type CheckRequest = Schemas["CheckRequest"];
export type BatchEvent = Omit<Schemas["BatchEvent"], "idempotencyKey"> & { idempotencyKey?: string };
export type BatchResponse = Schemas["BatchResponse"];
export type Limitations = Schemas["Limitations"];
export type GaugeRequest = Schemas["GaugeRequest"];
export type EventsQuery = NonNullable<paths["/api/v1/events"]["get"]["parameters"]["query"]>;
export type EventsPage = Schemas["EventsPage"];
export type WebhookEndpoint = Schemas["WebhookEndpoint"];
export type WebhookEndpointCreated = Schemas["WebhookEndpointCreated"];
export type WebhookEndpointCreateRequest = Schemas["WebhookEndpointCreateRequest"];
export type WebhookEndpointPatch = Schemas["WebhookEndpointPatch"];
export type ErrorCode = Schemas["Error"]["error"]["code"];

export interface TallyClientOptions {
  /** Where Tally runs, e.g. https://billing.example.com (its APP_URL). */
  baseUrl: string;
  /** A workspace API key (tk_live_...), or a platform key (tk_platform_...): then name the workspace in each call. */
  apiKey: string;
  /** Retries on 429 and 503; see RetryOptions. */
  retry?: RetryOptions;
  /** Makes the idempotency keys the client adds (default: a random UUID per call). */
  idempotencyKey?: () => string;
  /** The fetch to call (default: globalThis.fetch). */
  fetch?: (request: Request) => Promise<Response>;
}

/** A refusal or failure of the API: `code` is the API's error code, `status` its HTTP status. */
export class TallyApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "unexpected_response",
    message: string,
    readonly details?: Record<string, unknown>,
    /** Milliseconds the API asked to wait before retrying (429, 503), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "TallyApiError";
  }
}

export type TallyClient = ReturnType<typeof createTallyClient>;

export function createTallyClient(opts: TallyClientOptions) {
  const raw: Client<paths> = createFetchClient<paths>({
    baseUrl: opts.baseUrl,
    headers: { authorization: `Bearer ${opts.apiKey}` },
    fetch: retryingFetch(opts.fetch ?? ((r) => globalThis.fetch(r)), opts.retry),
  });
  raw.use(idempotencyMiddleware(opts.idempotencyKey ?? newIdempotencyKey));

  return {
    /** The typed client for every path of the API: `raw.POST("/api/v1/usage", { body })` answers { data, error, response }. */
    raw,
    /** Records usage; a replay of the same key answers the first answer. Throws TallyApiError (402 quota_exhausted, ...). */
    async recordUsage(body: UsageRequest): Promise<UsageAnswer> {
      return unwrap(await raw.POST("/api/v1/usage", { body }));
    },
    /** Records up to 1000 events, each decided on its own; events without a key get one. */
    async recordUsageBatch(events: BatchEvent[]): Promise<BatchResponse> {
      // Keys left out are filled in by the idempotency middleware before the request is sent.
      return unwrap(await raw.POST("/api/v1/usage/batch", { body: { events: events as Schemas["BatchEvent"][] } }));
    },
    /** Would these units be accepted now? Nothing is recorded. */
    async check(body: CheckRequest): Promise<UsageAnswer> {
      return unwrap(await raw.POST("/api/v1/check", { body }));
    },
    /** Plan, status, every entitlement's usage and the extras balance (`workspace`: with a platform key). */
    async limitations(workspace?: string): Promise<Limitations> {
      return unwrap(await raw.GET("/api/v1/limitations", { params: { query: workspace === undefined ? {} : { workspace } } }));
    },
    /** Claims units of a gauge (seats, projects; 1 by default). Throws TallyApiError 402 quota_exhausted at the limit. */
    async claimGauge(feature: string, body: GaugeRequest = {}): Promise<UsageAnswer> {
      return unwrap(await raw.POST("/api/v1/gauges/{feature}/claim", { params: { path: { feature } }, body }));
    },
    /** Gives claimed units of a gauge back (never below zero: 400 when more is released than is claimed). */
    async releaseGauge(feature: string, body: GaugeRequest = {}): Promise<UsageAnswer> {
      return unwrap(await raw.POST("/api/v1/gauges/{feature}/release", { params: { path: { feature } }, body }));
    },
    /** A page of usage events, newest first; pass nextCursor as cursor for the next one. */
    async listEvents(query: EventsQuery = {}): Promise<EventsPage> {
      return unwrap(await raw.GET("/api/v1/events", { params: { query } }));
    },
    /** Outgoing webhook endpoints (platform key only). */
    webhookEndpoints: {
      async list(): Promise<WebhookEndpoint[]> {
        return unwrap(await raw.GET("/api/v1/webhook-endpoints")).data;
      },
      /** The answer carries the signing secret (whsec_...), the only time it is shown: keep it. */
      async create(body: WebhookEndpointCreateRequest): Promise<WebhookEndpointCreated> {
        return unwrap(await raw.POST("/api/v1/webhook-endpoints", { body }));
      },
      async get(id: string): Promise<WebhookEndpoint> {
        return unwrap(await raw.GET("/api/v1/webhook-endpoints/{id}", { params: { path: { id } } }));
      },
      async update(id: string, body: WebhookEndpointPatch): Promise<WebhookEndpoint> {
        return unwrap(await raw.PATCH("/api/v1/webhook-endpoints/{id}", { params: { path: { id } }, body }));
      },
      async delete(id: string): Promise<{ id: string; deleted: true }> {
        return unwrap(await raw.DELETE("/api/v1/webhook-endpoints/{id}", { params: { path: { id } } }));
      },
    },
  };
}

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function unwrap<T>({ data, error, response }: Outcome<T>): T {
  if (response.ok && data !== undefined) return data;
  const body = (error ?? {}) as { error?: { code?: ErrorCode; message?: string; details?: Record<string, unknown> } };
  const e = body.error;
  const wait = retryAfterMs(response.headers.get("retry-after"));
  if (e?.code) throw new TallyApiError(response.status, e.code, e.message ?? e.code, e.details, wait ?? undefined);
  throw new TallyApiError(response.status, "unexpected_response", `Tally answered ${response.status} without an error body.`, undefined, wait ?? undefined);
}
