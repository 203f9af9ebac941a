// Every call that records something carries an idempotency key, so a retry (ours, or the caller's after a
// timeout) is answered with the first answer instead of being counted twice. The key is set once per
// call, before the request is built, and the retries in retry.ts resend that same request.
import type { Middleware } from "openapi-fetch";

/** Paths whose POST body takes an idempotencyKey: usage, gauge claims and releases, and webhook endpoints. */
const KEYED_PATH = /\/api\/v1\/(?:usage|gauges\/[^/]+\/(?:claim|release)|webhook-endpoints)$/;
const BATCH_PATH = /\/api\/v1\/usage\/batch$/;

export const newIdempotencyKey = (): string => crypto.randomUUID();

type Body = Record<string, unknown> & { idempotencyKey?: unknown; events?: unknown };

/** Fills in idempotencyKey where a call left it out: the body's, or each batch event's (`<call key>-<index>`). */
export function idempotencyMiddleware(newKey: () => string = newIdempotencyKey): Middleware {
  return {
    async onRequest({ request }) {
      if (request.method !== "POST") return undefined;
      const { pathname } = new URL(request.url);
      const batch = BATCH_PATH.test(pathname);
      if (!batch && !KEYED_PATH.test(pathname)) return undefined;
      if (!batch && request.headers.has("idempotency-key")) return undefined;
      let body: Body;
      try {
        body = (await request.clone().json()) as Body;
      } catch {
        return undefined; // not JSON: the API says what is wrong with it
      }
      if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
      if (batch) {
        if (!Array.isArray(body.events) || body.events.every((e: Body) => e?.idempotencyKey !== undefined)) return undefined;
        const base = newKey();
        body = { ...body, events: body.events.map((e: Body, i) => (e && typeof e === "object" && e.idempotencyKey === undefined ? { ...e, idempotencyKey: `${base}-${i}` } : e)) };
      } else {
        if (body.idempotencyKey !== undefined) return undefined;
        body = { ...body, idempotencyKey: newKey() };
      }
      return new Request(request, { body: JSON.stringify(body) });
    },
  };
}
