import { z } from "zod";
import { webhooksOpenApi } from "@/lib/webhooks/openapi";
import { commonErrors, documentedCodes, error, jsonContent, keyErrors, keyHeader, routeErrors } from "./openapi-parts";
import { answerExamples, batchRequestExamples, batchResponseExamples, eventsPageExamples, gaugeAnswerExamples, limitationsExamples, usageRequestExamples, workspaceExamples } from "./openapi-examples";
import { webhookEndpointPaths, webhookEndpointSchemas } from "./openapi-webhook-endpoints";
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
  sessionKeySchema,
  usageEventSchema,
  workspacePatchSchema,
  workspaceSchema,
} from "./platform-schemas";

// Every workspace-scoped route: a platform key names the workspace; a workspace key may name only its own.
const workspaceErrors = {
  "400": error("invalid_request, workspace_required: a malformed field, or a platform key that sent no workspace."),
  "404": error("not_found: no such workspace, or a workspace key named another workspace than its own."),
};
const workspaceQuery = { name: "workspace", in: "query", required: false, schema: { type: "string" }, description: "With a platform key (required): the workspace's Tally id or your externalId. A workspace key may name only its own workspace." };
const refParam = { name: "ref", in: "path", required: true, schema: { type: "string" }, description: "The workspace's Tally id or your externalId." };
const redirectErrors = {
  "400": error("invalid_request, invalid_redirect_url: a malformed field, or a return URL off APP_URL's origin and ALLOWED_REDIRECT_ORIGINS (details.field names it)."),
  "402": error("purchases_blocked: the workspace is degraded or unpaid."),
  "409": error("conflict, idempotency_conflict: the workspace already has a paid subscription (change its plan instead), or this idempotency key was used with other parameters."),
  "503": error("billing_unavailable: prices are not synced to Stripe yet, the portal is not configured, or the database is unavailable or busy; see Retry-After."),
};
const gaugeOperation = (op: "claim" | "release") => ({
  post: {
    summary: op === "claim" ? "Claim units of a gauge (seats, projects)" : "Give claimed units of a gauge back",
    description:
      (op === "claim" ? "The same atomic check against the limit as usage: 402 quota_exhausted at the limit, nothing claimed." : "Never below zero (400 when more is released than is claimed).") +
      " The seats gauge also counts the workspace's members in Tally: their seats are given back by removing the member, never through this API (a release that would free one is 409 conflict), and idempotency keys starting with seat: or seat-release: are theirs (400).",
    operationId: op === "claim" ? "claimGauge" : "releaseGauge", tags: ["Gauges"],
    parameters: [
      { name: "feature", in: "path", required: true, schema: { type: "string" }, description: "A gauge feature of the plan, e.g. seats or projects." },
      keyHeader(),
    ],
    requestBody: { required: true, content: jsonContent("GaugeRequest", { one: { value: { units: 1, idempotencyKey: "seat_member_42" } } }) },
    responses: {
      "200": { description: "Claimed or released (or the first answer for a replayed key).", headers: { "X-Quota-Remaining": { description: "Units left under the limit; absent when unlimited.", schema: { type: "string" } } }, content: jsonContent("UsageAnswer", gaugeAnswerExamples) },
      ...(op === "claim" ? { "402": error("quota_exhausted: the limit is reached; nothing was claimed.") } : {}),
      "409": error(op === "claim" ? "idempotency_conflict: the key was used with a different payload." : "idempotency_conflict: the key was used with a different payload; conflict: the seats left are held by members."),
      ...commonErrors,
      ...workspaceErrors,
    },
  },
});

const quotaHeader = {
  "X-Quota-Remaining": { description: "Quota left in the current window after this request; absent when unlimited.", schema: { type: "string" } },
};

let cached: { serverUrl: string; doc: object } | undefined;

/**
 * The OpenAPI 3.1 document of /api/v1, its schemas generated from the Zod schemas the handlers parse with;
 * `serverUrl` is the deployment's APP_URL (the route passes it; the client's generator needs none).
 */
export function openApiDocument(serverUrl = "/"): object {
  if (cached?.serverUrl === serverUrl) return cached.doc;
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
    ...webhookEndpointSchemas,
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
  const paths = {
    "/api/v1/usage": {
      post: {
        summary: "Record usage of a feature",
        operationId: "recordUsage", tags: ["Metering"],
        parameters: [keyHeader()],
        requestBody: { required: true, content: jsonContent("UsageRequest", usageRequestExamples) },
        responses: {
          "200": { description: "Recorded (or the first answer for a replayed key).", headers: quotaHeader, content: jsonContent("UsageAnswer", answerExamples) },
          "402": { ...error("quota_exhausted: not enough quota or extras; nothing was recorded. details carry the answer fields."), headers: quotaHeader },
          "409": error("idempotency_conflict: the key was used with a different payload (a different timestamp included)."),
          ...commonErrors, "400": error("invalid_request, invalid_timestamp: a malformed field; or a timestamp more than 24 hours in the past or in the future (5 seconds of clock skew are tolerated); nothing was recorded."),
        },
      },
    },
    "/api/v1/usage/batch": {
      post: {
        summary: `Record up to ${MAX_BATCH_EVENTS} usage events`,
        description: "Each event is decided on its own, as POST /api/v1/usage would; a malformed batch is refused whole.",
        operationId: "recordUsageBatch", tags: ["Metering"],
        requestBody: { required: true, content: jsonContent("BatchRequest", batchRequestExamples) },
        responses: { "200": { description: "A result per event, in request order.", content: jsonContent("BatchResponse", batchResponseExamples) }, ...commonErrors },
      },
    },
    "/api/v1/check": {
      post: {
        summary: "Would these units be accepted now? Nothing is recorded.",
        operationId: "checkUsage", tags: ["Metering"],
        requestBody: { required: true, content: jsonContent("CheckRequest", { units: { value: { feature: "compute", units: 5 } } }) },
        responses: {
          "200": { description: "allowed says whether recording would succeed now.", headers: quotaHeader, content: jsonContent("UsageAnswer", answerExamples) },
          ...commonErrors,
        },
      },
    },
    "/api/v1/limitations": {
      get: {
        summary: "Plan, status, every entitlement's usage, and the extras balance",
        operationId: "limitations", tags: ["Metering"],
        parameters: [workspaceQuery],
        responses: { "200": { description: "The workspace's limitations.", content: jsonContent("Limitations", limitationsExamples) }, ...keyErrors, ...routeErrors, ...workspaceErrors },
      },
    },
    "/api/v1/events": {
      get: {
        summary: "The workspace's usage events, newest first",
        operationId: "listEvents", tags: ["Metering"],
        parameters: [
          workspaceQuery,
          { name: "feature", in: "query", required: false, schema: { type: "string" } },
          { name: "from", in: "query", required: false, schema: { type: "string", format: "date-time" }, description: "At or after (ISO 8601)." },
          { name: "to", in: "query", required: false, schema: { type: "string", format: "date-time" }, description: "Before (ISO 8601)." },
          { name: "cursor", in: "query", required: false, schema: { type: "string" }, description: "nextCursor of the previous page." },
          { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: { "200": { description: "A page of events.", content: jsonContent("EventsPage", eventsPageExamples) }, ...keyErrors, ...routeErrors, ...workspaceErrors },
      },
    },
    "/api/v1/gauges/{feature}/claim": gaugeOperation("claim"),
    "/api/v1/gauges/{feature}/release": gaugeOperation("release"),
    "/api/v1/workspaces": {
      post: {
        summary: "Provision a workspace for your externalId (platform key only)",
        description: "Idempotent on externalId: provisioning again answers as the first call did (201 and the same workspace) and creates nothing. ownerEmail is invited as the owner; they join when they accept.",
        operationId: "provisionWorkspace", tags: ["Platform"],
        security: [{ platformKey: [] }],
        requestBody: { required: true, content: jsonContent("ProvisionRequest", { acme: { value: { externalId: "org_8812", name: "Acme", ownerEmail: "owner@acme.example" } } }) },
        responses: { "201": { description: "The workspace.", content: jsonContent("Workspace", workspaceExamples) }, "403": error("forbidden: a workspace key cannot provision."), ...commonErrors },
      },
    },
    "/api/v1/workspaces/{ref}": {
      get: {
        summary: "A workspace",
        operationId: "getWorkspace", tags: ["Platform"],
        parameters: [refParam],
        responses: { "200": { description: "The workspace.", content: jsonContent("Workspace", workspaceExamples) }, ...keyErrors, ...routeErrors, "404": workspaceErrors["404"] },
      },
      patch: {
        summary: "Rename a workspace or change its externalId",
        operationId: "updateWorkspace", tags: ["Platform"],
        parameters: [refParam],
        requestBody: { required: true, content: jsonContent("WorkspacePatch", { rename: { value: { name: "Acme Inc." } } }) },
        responses: { "200": { description: "The workspace.", content: jsonContent("Workspace", workspaceExamples) }, "403": error("forbidden: only a platform key sets or clears externalId."), "409": error("conflict: another workspace has this externalId."), ...commonErrors, "404": workspaceErrors["404"] },
      },
    },
    "/api/v1/workspaces/{ref}/checkout-sessions": {
      post: {
        summary: "A Stripe Checkout session for a plan",
        operationId: "createCheckoutSession", tags: ["Platform"],
        parameters: [refParam, keyHeader(sessionKeySchema)],
        requestBody: { required: true, content: jsonContent("CheckoutSessionRequest", { pro: { value: { plan: "pro", interval: "month", successUrl: "https://app.example.com/billing?ok={CHECKOUT_SESSION_ID}", cancelUrl: "https://app.example.com/billing" } } }) },
        responses: { "200": { description: "Send the customer to url.", content: jsonContent("SessionAnswer", { url: { value: { url: "https://checkout.stripe.com/c/pay/cs_test_a1b2" } } }) }, ...commonErrors, ...redirectErrors, "404": workspaceErrors["404"] },
      },
    },
    "/api/v1/workspaces/{ref}/extras/checkout-sessions": {
      post: {
        summary: "A Stripe Checkout session for an extras pack",
        operationId: "createExtrasCheckoutSession", tags: ["Platform"],
        parameters: [refParam, keyHeader(sessionKeySchema)],
        requestBody: { required: true, content: jsonContent("ExtrasCheckoutSessionRequest", { pack: { value: { pack: "compute_500", successUrl: "https://app.example.com/billing?ok=1", cancelUrl: "https://app.example.com/billing" } } }) },
        responses: { "200": { description: "Send the customer to url.", content: jsonContent("SessionAnswer", { url: { value: { url: "https://checkout.stripe.com/c/pay/cs_test_a1b2" } } }) }, ...commonErrors, ...redirectErrors, "404": workspaceErrors["404"] },
      },
    },
    "/api/v1/workspaces/{ref}/portal-sessions": {
      post: {
        summary: "A Stripe billing portal session (card, invoices, cancel)",
        operationId: "createPortalSession", tags: ["Platform"],
        parameters: [refParam],
        requestBody: { required: true, content: jsonContent("PortalSessionRequest", { back: { value: { returnUrl: "https://app.example.com/billing" } } }) },
        responses: { "200": { description: "Send the customer to url.", content: jsonContent("SessionAnswer", { url: { value: { url: "https://checkout.stripe.com/c/pay/cs_test_a1b2" } } }) }, ...commonErrors, ...redirectErrors, "404": workspaceErrors["404"] },
      },
    },
    ...webhookEndpointPaths,
    "/api/v1/ping": {
      get: {
        summary: "Is the API up? Touches nothing, needs no key.",
        operationId: "ping", tags: ["About the API"],
        security: [],
        responses: { "200": { description: "Always { ok: true }.", content: { "application/json": { schema: { type: "object", properties: { ok: { const: true } }, required: ["ok"] }, example: { ok: true } } } }, ...routeErrors },
      },
    },
    "/api/v1/openapi.json": {
      get: {
        summary: "This document",
        operationId: "openApiDocument", tags: ["About the API"],
        security: [],
        responses: { "200": { description: "The OpenAPI 3.1 document of the API.", content: { "application/json": { schema: { type: "object" } } } }, ...routeErrors },
      },
    },
  };
  // The Error schema names every code the document's responses name, and no other.
  (schemas.Error as unknown as { properties: { error: { properties: { code: object } } } }).properties.error.properties.code = {
    type: "string",
    enum: documentedCodes(paths),
    description: "What went wrong, for code to branch on; each code has one HTTP status.",
  };
  const doc = {
    openapi: "3.1.0",
    info: { title: "Tally metering API", version: "1.0.0", description: "Report usage and ask for permission; provision workspaces and start their checkouts. Authenticate with a workspace API key, or with a platform key for every workspace (then name the workspace with `workspace`): `Authorization: Bearer <key>`." },
    servers: [{ url: serverUrl, description: "This deployment (APP_URL)" }],
    security: [{ apiKey: [] }, { platformKey: [] }],
    paths,
    webhooks: outgoing.webhooks,
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "A workspace API key (tk_live_...)." },
        platformKey: { type: "http", scheme: "bearer", description: "A platform key (tk_platform_...), created by operators in the console: acts for every workspace; name one with `workspace`." },
      },
      schemas: { ...schemas, ...outgoing.schemas },
    },
  };
  cached = { serverUrl, doc };
  return doc;
}
