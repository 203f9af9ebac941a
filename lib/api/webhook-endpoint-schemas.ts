// The webhook endpoints API's shapes (platform key only). The handlers parse with these and the OpenAPI
// document is generated from them; the rules an endpoint must meet (an http(s) URL, known event types) are
// lib/webhooks/endpoints.ts's, the same the console applies.
import { z } from "zod";
import { idempotencyKeySchema } from "@/lib/billing/validation";
import { EVENT_TYPE_LIST } from "@/lib/webhooks/event-types";

const eventTypesSchema = z
  .array(z.enum(EVENT_TYPE_LIST))
  .min(1)
  .meta({ description: "The event types sent to this endpoint (see the document's webhooks)." });
const urlSchema = z.string().max(2000).meta({ description: "Where deliveries are POSTed: an http(s) URL." });
const descriptionSchema = z.string().max(200).meta({ description: "A note for people reading the console." });

export const webhookEndpointCreateSchema = z.strictObject({
  url: urlSchema,
  eventTypes: eventTypesSchema.optional().meta({ description: "The event types sent to this endpoint; every type when omitted." }),
  description: descriptionSchema.optional(),
  idempotencyKey: idempotencyKeySchema.optional().meta({ description: "Or the Idempotency-Key header: a retry answers as the creation did (secret included)." }),
});

export const webhookEndpointPatchSchema = z
  .strictObject({
    url: urlSchema.optional(),
    eventTypes: eventTypesSchema.optional(),
    description: descriptionSchema.nullable().optional(),
    enabled: z.boolean().optional().meta({ description: "false stops deliveries (they wait); true sends what waited, its retry clock restarted." }),
  })
  .meta({ description: "Only the fields sent change." });

export const webhookEndpointSchema = z.object({
  id: z.string().meta({ example: "we_5f0c2a9d1e7b3c4a8d6e2f10" }),
  url: z.string(),
  description: z.string().nullable(),
  eventTypes: z.array(z.enum(EVENT_TYPE_LIST)),
  enabled: z.boolean(),
  disabledReason: z.string().nullable().meta({ description: "Why it is disabled: by whom, or after 3 days of failed deliveries." }),
  disabledAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const webhookEndpointCreatedSchema = webhookEndpointSchema
  .extend({ secret: z.string().meta({ description: "The signing secret (whsec_...): only in the answer to the creation (and its retries with the same idempotency key)." }) })
  .meta({ description: "The endpoint, with its signing secret: keep it, no other answer shows it." });

export const webhookEndpointListSchema = z.object({ data: z.array(webhookEndpointSchema).meta({ description: "Newest first." }) });
export const webhookEndpointDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });

export type WebhookEndpointWire = z.infer<typeof webhookEndpointSchema>;

interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An endpoint as the API shows it: never its secret. */
export const endpointWire = (e: EndpointRow): WebhookEndpointWire => ({
  id: e.id,
  url: e.url,
  description: e.description,
  eventTypes: e.eventTypes as WebhookEndpointWire["eventTypes"],
  enabled: e.enabled,
  disabledReason: e.disabledReason,
  disabledAt: e.disabledAt?.toISOString() ?? null,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});
