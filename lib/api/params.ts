import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import { idempotencyKeySchema } from "@/lib/billing/validation";
import { headerOf } from "./auth";
import { invalid } from "./respond";

const routeParams = new WeakMap<IncomingMessage, Record<string, string>>();

/** The router (router.ts) tells each request the {name} segments of its route's path, as sent. */
export const setRouteParams = (req: IncomingMessage, params: Record<string, string>) => void routeParams.set(req, params);

/** A {name} segment of the route's path ({ref}, {feature}), decoded. */
export function routeParam(req: IncomingMessage, name: string): string {
  const raw = routeParams.get(req)?.[name];
  if (!raw) throw invalid(`${name}: missing from the path.`, name);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalid(`${name}: not a valid path segment.`, name);
  }
}

/**
 * The request's idempotency key: in the body or the Idempotency-Key header (the same one if both), or null. The
 * header must be what the body's field accepts (`schema`: the route's own rule, else the metering API's).
 */
export function idempotencyKeyOf(req: IncomingMessage, body: string | undefined, schema: z.ZodType<string> = idempotencyKeySchema): string | null {
  const header = headerOf(req, "idempotency-key") ?? null;
  if (header !== null) {
    const r = schema.safeParse(header);
    if (!r.success) throw invalid(`Idempotency-Key: ${r.error.issues[0]?.message ?? "not a valid key"}.`, "idempotencyKey");
  }
  if (header !== null && body !== undefined && header !== body) {
    throw invalid("The Idempotency-Key header and idempotencyKey in the body differ; send one of them.", "idempotencyKey");
  }
  return body ?? header;
}

/** The request's idempotency key (see idempotencyKeyOf); 400 when it has none. */
export function requiredIdempotencyKey(req: IncomingMessage, body: string | undefined): string {
  const key = idempotencyKeyOf(req, body);
  if (!key) throw invalid("idempotencyKey: required (in the body or the Idempotency-Key header).", "idempotencyKey");
  return key;
}
