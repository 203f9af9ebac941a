import { z } from "zod";
import { MAX_BODY_BYTES } from "./body";
import { webhooksOpenApi } from "@/lib/webhooks/openapi";
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
import {
  checkoutSessionSchema,
  eventsPageSchema,
  extrasCheckoutSessionSchema,
  gaugeRequestSchema,
  portalSessionSchema,
  provisionSchema,
  sessionAnswerSchema,
  usageEventSchema,
  workspacePatchSchema,
  workspaceSchema,
} from "./platform-schemas";

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

// Every workspace-scoped route: a platform key names the workspace; a workspace key may name only its own.
const workspaceErrors = {
  "400": error("invalid_request (a malformed field), or workspace_required: a platform key sent no workspace."),
  "404": error("not_found: no such workspace, or a workspace key named another workspace than its own."),
};
const workspaceQuery = { name: "workspace", in: "query", required: false, schema: { type: "string" }, description: "With a platform key (required): the workspace's Tally id or your externalId. A workspace key may name only its own workspace." };
const refParam = { name: "ref", in: "path", required: true, schema: { type: "string" }, description: "The workspace's Tally id or your externalId." };
const redirectErrors = {
  "400": error("invalid_request, or invalid_redirect_url: a return URL off APP_URL's origin and ALLOWED_REDIRECT_ORIGINS (details.field names it)."),
  "402": error("purchases_blocked: the workspace is degraded or unpaid."),
  "409": error("conflict: the workspace already has a paid subscription (change its plan instead)."),
  "503": error("billing_unavailable: prices are not synced to Stripe yet, or the portal is not configured."),
};
const gaugeOperation = (op: "claim" | "release") => ({
  post: {
    summary: op === "claim" ? "Claim units of a gauge (seats, projects)" : "Give claimed units of a gauge back",
    description: op === "claim" ? "The same atomic check against the limit as usage: 402 quota_exhausted at the limit, nothing claimed." : "Never below zero (400 when more is released than is claimed).",
    operationId: op === "claim" ? "claimGauge" : "releaseGauge",
    parameters: [
      { name: "feature", in: "path", required: true, schema: { type: "string" }, description: "A gauge feature of the plan, e.g. seats or projects." },
      { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string" }, description: "Instead of idempotencyKey in the body." },
    ],
    requestBody: { required: true, content: jsonContent("GaugeRequest") },
    responses: {
      "200": { description: "Claimed or released (or the first answer for a replayed key).", headers: { "X-Quota-Remaining": { description: "Units left under the limit; absent when unlimited.", schema: { type: "string" } } }, content: jsonContent("UsageAnswer") },
      ...(op === "claim" ? { "402": error("quota_exhausted: the limit is reached; nothing was claimed.") } : {}),
      "409": error("idempotency_conflict: the key was used with a different payload."),
      ...commonErrors,
      ...workspaceErrors,
    },
  },
});

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
    ProvisionRequest: provisionSchema,
    WorkspacePatch: workspacePatchSchema,
    Workspace: workspaceSchema,
    CheckoutSessionRequest: checkoutSessionSchema,
    ExtrasCheckoutSessionRequest: extrasCheckoutSessionSchema,
    PortalSessionRequest: portalSessionSchema,
    SessionAnswer: sessionAnswerSchema,
    GaugeRequest: gaugeRequestSchema,
    UsageEvent: usageEventSchema,
    EventsPage: eventsPageSchema,
  })) {
    registry.add(schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io: "input", uri: (id) => `#/components/schemas/${id}` });
  // Components live inside the document, so they need no $schema or $id of their own.
  for (const s of Object.values(schemas)) {
    delete (s as { $schema?: string }).$schema;
    delete (s as { $id?: string }).$id;
  }
  const outgoing = webhooksOpenApi();
  cached = {
    openapi: "3.1.0",
    info: { title: "Tally metering API", version: "1.0.0", description: "Report usage and ask for permission; provision workspaces and start their checkouts. Authenticate with a workspace API key, or with a platform key for every workspace (then name the workspace with `workspace`): Authorization: Bearer <key>." },
    servers: [{ url: "/" }],
    security: [{ apiKey: [] }, { platformKey: [] }],
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
          parameters: [workspaceQuery],
          responses: { "200": { description: "The workspace's limitations.", content: jsonContent("Limitations") }, "401": commonErrors["401"], "429": commonErrors["429"], ...workspaceErrors },
        },
      },
      "/api/v1/events": {
        get: {
          summary: "The workspace's usage events, newest first",
          operationId: "listEvents",
          parameters: [
            workspaceQuery,
            { name: "feature", in: "query", required: false, schema: { type: "string" } },
            { name: "from", in: "query", required: false, schema: { type: "string", format: "date-time" }, description: "At or after (ISO 8601)." },
            { name: "to", in: "query", required: false, schema: { type: "string", format: "date-time" }, description: "Before (ISO 8601)." },
            { name: "cursor", in: "query", required: false, schema: { type: "string" }, description: "nextCursor of the previous page." },
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } },
          ],
          responses: { "200": { description: "A page of events.", content: jsonContent("EventsPage") }, "401": commonErrors["401"], "429": commonErrors["429"], ...workspaceErrors },
        },
      },
      "/api/v1/gauges/{feature}/claim": gaugeOperation("claim"),
      "/api/v1/gauges/{feature}/release": gaugeOperation("release"),
      "/api/v1/workspaces": {
        post: {
          summary: "Provision a workspace for your externalId (platform key only)",
          description: "Idempotent on externalId: provisioning again answers as the first call did (201 and the same workspace) and creates nothing. ownerEmail is invited as the owner; they join when they accept.",
          operationId: "provisionWorkspace",
          security: [{ platformKey: [] }],
          requestBody: { required: true, content: jsonContent("ProvisionRequest") },
          responses: { "201": { description: "The workspace.", content: jsonContent("Workspace") }, "403": error("forbidden: a workspace key cannot provision."), ...commonErrors },
        },
      },
      "/api/v1/workspaces/{ref}": {
        get: {
          summary: "A workspace",
          operationId: "getWorkspace",
          parameters: [refParam],
          responses: { "200": { description: "The workspace.", content: jsonContent("Workspace") }, "401": commonErrors["401"], "429": commonErrors["429"], "404": workspaceErrors["404"] },
        },
        patch: {
          summary: "Rename a workspace or change its externalId",
          operationId: "updateWorkspace",
          parameters: [refParam],
          requestBody: { required: true, content: jsonContent("WorkspacePatch") },
          responses: { "200": { description: "The workspace.", content: jsonContent("Workspace") }, "409": error("conflict: another workspace has this externalId."), ...commonErrors, "404": workspaceErrors["404"] },
        },
      },
      "/api/v1/workspaces/{ref}/checkout-sessions": {
        post: {
          summary: "A Stripe Checkout session for a plan",
          operationId: "createCheckoutSession",
          parameters: [refParam, { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string" } }],
          requestBody: { required: true, content: jsonContent("CheckoutSessionRequest") },
          responses: { "200": { description: "Send the customer to url.", content: jsonContent("SessionAnswer") }, ...commonErrors, ...redirectErrors, "404": workspaceErrors["404"] },
        },
      },
      "/api/v1/workspaces/{ref}/extras/checkout-sessions": {
        post: {
          summary: "A Stripe Checkout session for an extras pack",
          operationId: "createExtrasCheckoutSession",
          parameters: [refParam, { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string" } }],
          requestBody: { required: true, content: jsonContent("ExtrasCheckoutSessionRequest") },
          responses: { "200": { description: "Send the customer to url.", content: jsonContent("SessionAnswer") }, ...commonErrors, ...redirectErrors, "404": workspaceErrors["404"] },
        },
      },
      "/api/v1/workspaces/{ref}/portal-sessions": {
        post: {
          summary: "A Stripe billing portal session (card, invoices, cancel)",
          operationId: "createPortalSession",
          parameters: [refParam],
          requestBody: { required: true, content: jsonContent("PortalSessionRequest") },
          responses: { "200": { description: "Send the customer to url.", content: jsonContent("SessionAnswer") }, ...commonErrors, ...redirectErrors, "404": workspaceErrors["404"] },
        },
      },
    },
    webhooks: outgoing.webhooks,
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "A workspace API key (tk_live_...)." },
        platformKey: { type: "http", scheme: "bearer", description: "A platform key (tk_platform_...), created by operators in the console: acts for every workspace; name one with `workspace`." },
      },
      schemas: { ...schemas, ...outgoing.schemas },
    },
  };
  return cached;
}
