import { z } from "zod";
import { MAX_BODY_BYTES } from "./body";
import {
  MAX_BATCH_EVENTS,
  batchEventSchema,
  batchRequestSchema,
  batchResultSchema,
  batchResponseSchema,
  checkRequestSchema,
  errorSchema,
  limitationsSchema,
  usageAnswerSchema,
  usageRequestSchema,
} from "./schemas";

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const jsonContent = (id: string) => ({ "application/json": { schema: ref(id) } });
const error = (description: string) => ({ description, content: jsonContent("Error") });

const commonErrors = {
  "400": error("invalid_request: malformed JSON, a wrong type, a missing or unknown field, a number out of range."),
  "401": error("unauthorized: no key, an unknown key or a revoked key."),
  "413": error(`payload_too_large: a body over ${MAX_BODY_BYTES} bytes.`),
  "415": error("unsupported_media_type: a body that is not application/json."),
  "429": error("rate_limited: too many requests with invalid keys from this client; see Retry-After."),
};

const quotaHeader = {
  "X-Quota-Remaining": { description: "Quota left in the current window after this request; absent when unlimited.", schema: { type: "string" } },
};

let cached: object | undefined;

/** The OpenAPI 3.1 document of /api/v1, its schemas generated from the Zod schemas the handlers parse with. */
export function openApiDocument(): object {
  if (cached) return cached;
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries({
    UsageRequest: usageRequestSchema,
    BatchEvent: batchEventSchema,
    BatchRequest: batchRequestSchema,
    CheckRequest: checkRequestSchema,
    UsageAnswer: usageAnswerSchema,
    BatchResult: batchResultSchema,
    BatchResponse: batchResponseSchema,
    Limitations: limitationsSchema,
    Error: errorSchema,
  })) {
    registry.add(schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io: "input", uri: (id) => `#/components/schemas/${id}` });
  // Components live inside the document, so they need no $schema or $id of their own.
  for (const s of Object.values(schemas)) {
    delete (s as { $schema?: string }).$schema;
    delete (s as { $id?: string }).$id;
  }
  cached = {
    openapi: "3.1.0",
    info: { title: "Tally metering API", version: "1.0.0", description: "Report usage and ask for permission. Authenticate with a workspace API key: Authorization: Bearer <key>." },
    servers: [{ url: "/" }],
    security: [{ apiKey: [] }],
    paths: {
      "/api/v1/usage": {
        post: {
          summary: "Record usage of a feature",
          operationId: "recordUsage",
          parameters: [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string" }, description: "Instead of idempotencyKey in the body." }],
          requestBody: { required: true, content: jsonContent("UsageRequest") },
          responses: {
            "200": { description: "Recorded (or the first answer for a replayed key).", headers: quotaHeader, content: jsonContent("UsageAnswer") },
            "402": { ...error("quota_exhausted: not enough quota or extras; nothing was recorded. details carry the answer fields."), headers: quotaHeader },
            "409": error("idempotency_conflict: the key was used with a different payload."),
            ...commonErrors,
          },
        },
      },
      "/api/v1/usage/batch": {
        post: {
          summary: `Record up to ${MAX_BATCH_EVENTS} usage events`,
          description: "Each event is decided on its own, as POST /api/v1/usage would; a malformed batch is refused whole.",
          operationId: "recordUsageBatch",
          requestBody: { required: true, content: jsonContent("BatchRequest") },
          responses: { "200": { description: "A result per event, in request order.", content: jsonContent("BatchResponse") }, ...commonErrors },
        },
      },
      "/api/v1/check": {
        post: {
          summary: "Would these units be accepted now? Nothing is recorded.",
          operationId: "checkUsage",
          requestBody: { required: true, content: jsonContent("CheckRequest") },
          responses: { "200": { description: "allowed says whether recording would succeed now.", headers: quotaHeader, content: jsonContent("UsageAnswer") }, ...commonErrors },
        },
      },
      "/api/v1/limitations": {
        get: {
          summary: "Plan, status, every entitlement's usage, and the extras balance",
          operationId: "limitations",
          responses: { "200": { description: "The workspace's limitations.", content: jsonContent("Limitations") }, "401": commonErrors["401"], "429": commonErrors["429"] },
        },
      },
    },
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "A workspace API key (tk_live_...)." } },
      schemas,
    },
  };
  return cached;
}
