// The webhook endpoints part of the OpenAPI document (platform key only): its paths, and the schemas they
// name, registered with the others in openapi.ts.
import { commonErrors, error, jsonContent, keyErrors, keyHeader, routeErrors } from "./openapi-parts";
import {
  webhookEndpointCreateSchema,
  webhookEndpointCreatedSchema,
  webhookEndpointDeletedSchema,
  webhookEndpointListSchema,
  webhookEndpointPatchSchema,
  webhookEndpointSchema,
} from "./webhook-endpoint-schemas";

export const webhookEndpointSchemas = {
  WebhookEndpointCreateRequest: webhookEndpointCreateSchema,
  WebhookEndpointPatch: webhookEndpointPatchSchema,
  WebhookEndpoint: webhookEndpointSchema,
  WebhookEndpointCreated: webhookEndpointCreatedSchema,
  WebhookEndpointList: webhookEndpointListSchema,
  WebhookEndpointDeleted: webhookEndpointDeletedSchema,
};

const platformOnly = { security: [{ platformKey: [] }], tags: ["Webhook endpoints"] };
const forbidden = { "403": error("forbidden: a workspace key cannot manage webhook endpoints.") };
const notFound = { "404": error("not_found: no webhook endpoint with this id.") };
const idParam = { name: "id", in: "path", required: true, schema: { type: "string" }, description: "The endpoint's id (we_...)." };

const endpoint = {
  id: "we_5f0c2a9d1e7b3c4a8d6e2f10", url: "https://app.example.com/hooks/tally", description: "Production", eventTypes: ["usage.threshold_crossed", "invoice.paid"],
  enabled: true, disabledReason: null, disabledAt: null, createdAt: "2026-12-03T09:00:00.000Z", updatedAt: "2026-12-03T09:00:00.000Z",
};
const endpointExamples = { endpoint: { value: endpoint } };

export const webhookEndpointPaths = {
  "/api/v1/webhook-endpoints": {
    get: {
      summary: "The outgoing webhook endpoints (platform key only)",
      operationId: "listWebhookEndpoints", ...platformOnly,
      responses: { "200": { description: "Every endpoint, newest first; secrets are never listed.", content: jsonContent("WebhookEndpointList", { all: { value: { data: [endpoint] } } }) }, ...forbidden, ...keyErrors, ...routeErrors },
    },
    post: {
      summary: "Create an outgoing webhook endpoint (platform key only)",
      description: "The same rules as the console: an http(s) URL, known event types (every type when eventTypes is omitted). The answer carries the signing secret (whsec_...), the only time it is shown; a retry with the same Idempotency-Key answers the same (secret included) and creates nothing.",
      operationId: "createWebhookEndpoint", ...platformOnly,
      parameters: [keyHeader()],
      requestBody: { required: true, content: jsonContent("WebhookEndpointCreateRequest", { all: { value: { url: "https://app.example.com/hooks/tally", description: "Production" } } }) },
      responses: {
        "201": { description: "Created (or the first answer for a replayed key).", content: jsonContent("WebhookEndpointCreated", { created: { value: { ...endpoint, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } } }) },
        "409": error("idempotency_conflict: the key was used with a different payload."),
        ...forbidden, ...commonErrors,
      },
    },
  },
  "/api/v1/webhook-endpoints/{id}": {
    get: {
      summary: "An outgoing webhook endpoint (platform key only)",
      operationId: "getWebhookEndpoint", ...platformOnly, parameters: [idParam],
      responses: { "200": { description: "The endpoint, without its secret.", content: jsonContent("WebhookEndpoint", endpointExamples) }, ...forbidden, ...notFound, ...keyErrors, ...routeErrors },
    },
    patch: {
      summary: "Change an endpoint's URL, event types, description, or enable or disable it (platform key only)",
      operationId: "updateWebhookEndpoint", ...platformOnly, parameters: [idParam],
      requestBody: { required: true, content: jsonContent("WebhookEndpointPatch", { disable: { value: { enabled: false } } }) },
      responses: { "200": { description: "The endpoint.", content: jsonContent("WebhookEndpoint", endpointExamples) }, ...forbidden, ...notFound, ...commonErrors },
    },
    delete: {
      summary: "Delete an endpoint with its delivery log (platform key only)",
      operationId: "deleteWebhookEndpoint", ...platformOnly, parameters: [idParam],
      responses: { "200": { description: "Deleted.", content: jsonContent("WebhookEndpointDeleted", { deleted: { value: { id: endpoint.id, deleted: true } } }) }, ...forbidden, ...notFound, ...keyErrors, ...routeErrors },
    },
  },
};
