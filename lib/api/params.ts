import type { IncomingMessage } from "node:http";
import { headerOf } from "./auth";
import { invalid } from "./respond";

/** A dynamic segment of the route's path ([ref], [feature]), as the framework parsed it. */
export function routeParam(req: IncomingMessage, name: string): string {
  const v = (req as IncomingMessage & { query?: Record<string, string | string[] | undefined> }).query?.[name];
  const value = Array.isArray(v) ? v[0] : v;
  if (!value) throw invalid(`${name}: missing from the path.`, name);
  return value;
}

/** The request's idempotency key: in the body or the Idempotency-Key header (the same one if both), or null. */
export function idempotencyKeyOf(req: IncomingMessage, body: string | undefined): string | null {
  const header = headerOf(req, "idempotency-key") ?? null;
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
