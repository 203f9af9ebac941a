// Building blocks of the OpenAPI document: error responses that name the exact codes a route answers with
// (each code's status comes from lib/errors.ts, so a response can only list codes of its own status), and
// the examples shown in the API reference. openapi.test.ts checks the document against the routes and codes.
import { z } from "zod";
import { idempotencyKeySchema } from "@/lib/billing/validation";
import { errorStatus, type ErrorCode } from "@/lib/errors";
import { MAX_BODY_BYTES } from "./body";

export const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
export const jsonContent = (id: string, examples?: Record<string, { summary?: string; value: unknown }>) => ({
  "application/json": { schema: ref(id), ...(examples ? { examples } : {}) },
});

/** The Idempotency-Key header, held to the rule of the body's idempotencyKey (`schema`; params.ts checks it). */
export function keyHeader(schema: z.ZodType<string> = idempotencyKeySchema) {
  const rule = z.toJSONSchema(schema) as Record<string, unknown>;
  delete rule.$schema;
  return { name: "Idempotency-Key", in: "header", required: false, schema: rule, description: "Instead of idempotencyKey in the body, under the same rule (otherwise 400 invalid_request)." };
}

// What a caller sees for each code; a code without one here is shown with the generic message.
const EXAMPLE_MESSAGES: Partial<Record<ErrorCode, { message: string; details?: Record<string, unknown> }>> = {
  invalid_request: { message: "units: must be a decimal such as 12.5", details: { field: "units" } },
  unauthorized: { message: "Missing or invalid API key; send Authorization: Bearer <key>." },
  forbidden: { message: "This key may not do that." },
  not_found: { message: "Not found." },
  invalid_timestamp: { message: "timestamp is more than 24 hours in the past; usage can be backdated by at most 24 hours.", details: { field: "timestamp" } },
  quota_exhausted: {
    message: "Not enough compute left in this window or in extras.",
    details: { feature: "compute", units: 5, remaining: 2, extrasRemaining: 0, resetsAt: "2026-12-07T00:00:00.000Z" },
  },
  method_not_allowed: { message: "DELETE is not allowed here; use POST, OPTIONS.", details: { allow: ["POST", "OPTIONS"] } },
  idempotency_conflict: { message: "This idempotency key was already used with a different payload." },
  payload_too_large: { message: "The request body is larger than 1048576 bytes." },
  unsupported_media_type: { message: "Send the body as JSON with Content-Type: application/json." },
  rate_limited: { message: "Too many requests with invalid keys; retry after 30 seconds.", details: { retryAfter: 30 } },
  billing_unavailable: { message: "Billing is unavailable right now; retry the request with the same idempotency key." },
  internal_error: { message: "Something went wrong on our side; retry the request." },
};

export const errorExample = (code: ErrorCode) => {
  const m = EXAMPLE_MESSAGES[code] ?? { message: "See message." };
  return { error: { code, message: m.message, ...(m.details ? { details: m.details } : {}) } };
};

const retryAfter = { description: "Seconds to wait before retrying.", schema: { type: "integer", minimum: 0 } };
const STATUS_HEADERS: Record<number, Record<string, unknown>> = {
  405: { Allow: { description: "The methods this path answers.", schema: { type: "string" } } },
  429: { "Retry-After": retryAfter },
  503: { "Retry-After": retryAfter },
};

/** The codes named at the start of a description, e.g. "idempotency_conflict: ..." or "forbidden, not_found: ...". */
export function codesIn(description: string): ErrorCode[] {
  const head = /^([a-z_]+(?:(?:,\s*|\s+or\s+)[a-z_]+)*):/.exec(description)?.[1];
  return head ? (head.split(/,\s*|\s+or\s+/) as ErrorCode[]) : [];
}

/**
 * One error response: the Error schema with `code` narrowed to the codes named at the start of the
 * description, an example per code, and Retry-After or Allow where the status carries them.
 */
export function error(description: string) {
  const codes = codesIn(description);
  const status = codes.length ? errorStatus[codes[0]!] : undefined;
  const schema = codes.length
    ? { allOf: [ref("Error"), { type: "object", required: ["error"], properties: { error: { type: "object", required: ["code"], properties: { code: { type: "string", enum: codes } } } } }] }
    : ref("Error");
  return {
    description,
    ...(status !== undefined && STATUS_HEADERS[status] ? { headers: STATUS_HEADERS[status] } : {}),
    content: { "application/json": { schema, examples: Object.fromEntries(codes.map((c) => [c, { value: errorExample(c) }])) } },
  };
}

/** Every error code any response of the document names, for the Error schema's enum. */
export function documentedCodes(paths: Record<string, Record<string, { responses?: Record<string, { description?: string }> }>>): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  for (const ops of Object.values(paths)) {
    for (const op of Object.values(ops)) {
      for (const [status, r] of Object.entries(op.responses ?? {})) {
        if (Number(status) >= 400) for (const c of codesIn(r.description ?? "")) codes.add(c);
      }
    }
  }
  return [...codes].sort();
}

// Errors every route of the API can answer with: the method is checked first, then the key, then the body.
export const routeErrors = {
  "405": error("method_not_allowed: a method the path does not answer; Allow lists those it does."),
  "500": error("internal_error: a failure on Tally's side; retrying with the same idempotency key is safe."),
};
export const keyErrors = {
  "401": error("unauthorized: no key, an unknown key or a revoked key."),
  "429": error("rate_limited: too many requests with invalid keys from this client; see Retry-After."),
  "503": error("billing_unavailable: the database cannot be reached, or a conflict in it was not resolved in time; retry after Retry-After with the same idempotency key."),
};
export const commonErrors = {
  "400": error("invalid_request: malformed JSON, a wrong type, a missing or unknown field, a number out of range."),
  ...keyErrors,
  "413": error(`payload_too_large: a body over ${MAX_BODY_BYTES} bytes.`),
  "415": error("unsupported_media_type: a body that is not application/json."),
  ...routeErrors,
};
