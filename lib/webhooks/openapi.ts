import { EVENT_TYPE_LIST, WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./event-types";

// The OpenAPI 3.1 `webhooks` section: one POST per event type, as Tally sends it to an endpoint.

const str = { type: "string" } as const;
const nstr = { type: ["string", "null"] } as const;
const decimal = { type: "string", pattern: "^-?\\d+(\\.\\d+)?$", description: "An exact decimal." } as const;
const time = { type: ["string", "null"], format: "date-time" } as const;
const plan = { type: ["object", "null"], properties: { id: str, key: str, version: { type: "integer" }, name: str } } as const;
const obj = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({ type: "object", properties, required });

const usage = obj({ feature: str, threshold: { enum: [80, 100] }, windowId: str, periodStart: time, periodEnd: time, quota: { ...decimal, type: ["string", "null"] }, used: decimal, overflow: { enum: ["block", "extras", "soft"] } });
const limit = obj({ feature: str, windowId: str, periodStart: time, periodEnd: time, quota: { ...decimal, type: ["string", "null"] }, used: decimal, overflow: { enum: ["block", "extras"] }, extrasBalance: decimal });
const entry = obj({ entryId: str, lotId: str, kind: str, units: decimal, balance: decimal, cause: obj({ type: str, id: str }) });
const topUp = obj({ attemptId: str, packId: str, slot: str, paymentIntentId: nstr, error: nstr });
const subscription = obj({ subscriptionId: str, status: str, previousStatus: nstr, plan, interval: { enum: ["month", "year"] }, stripeSubscriptionId: nstr, currentPeriodEnd: time, trialEndsAt: time, pastDueSince: time });
const planChange = obj({ from: plan, to: plan, fromStatus: str, toStatus: str, reason: str });
const trialEnding = obj({ subscriptionId: str, plan, trialEndsAt: time });
const invoice = obj({ invoiceId: str, number: nstr, status: str, currency: str, amountDueCents: { type: "integer" }, amountPaidCents: { type: "integer" }, hostedUrl: nstr, billingReason: nstr, paymentError: nstr });

const DATA: Record<WebhookEventType, object> = {
  "usage.threshold_crossed": usage, "usage.limit_reached": limit,
  "extras.credited": entry, "extras.low": { ...entry, properties: { ...entry.properties, lowMark: decimal } }, "extras.depleted": entry,
  "auto_top_up.succeeded": topUp, "auto_top_up.failed": topUp,
  "subscription.created": subscription, "subscription.plan_changed": planChange, "subscription.canceled": planChange,
  "subscription.trial_will_end": trialEnding, "subscription.trial_ended": planChange,
  "billing.past_due": subscription, "billing.degraded": subscription, "billing.unpaid": subscription, "billing.recovered": subscription,
  "invoice.paid": invoice, "invoice.payment_failed": invoice,
};

const schemaName = (t: string) => `WebhookEvent_${t.replace(/[._]/g, "_")}`;

const signatureHeaders = {
  "webhook-id": { required: true, schema: { type: "string", example: "msg_2b6f0c7e9d3a4e1f8a5b6c7d8e9f0a1b" }, description: "The event's id: the same on every delivery and redelivery (deduplicate on it)." },
  "webhook-timestamp": { required: true, schema: { type: "string", example: "1796256000" }, description: "Unix seconds when this attempt was signed; refuse old ones (5 minutes)." },
  "webhook-signature": { required: true, schema: { type: "string", example: "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=" }, description: "`v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` keyed by the base64-decoded part of the endpoint secret after `whsec_` (Standard Webhooks; the `standardwebhooks` packages verify it)." },
};

/** The `webhooks` section and the schemas it refers to. */
export function webhooksOpenApi(): { webhooks: Record<string, object>; schemas: Record<string, object> } {
  const schemas: Record<string, object> = {};
  const webhooks: Record<string, object> = {};
  for (const type of EVENT_TYPE_LIST) {
    schemas[schemaName(type)] = {
      type: "object",
      description: WEBHOOK_EVENT_TYPES[type],
      required: ["id", "type", "createdAt", "workspace", "data"],
      properties: {
        id: { type: "string", pattern: "^msg_" },
        type: { const: type },
        createdAt: { type: "string", format: "date-time" },
        workspace: obj({ id: str, externalId: nstr }),
        data: DATA[type],
      },
    };
    webhooks[type] = {
      post: {
        summary: type,
        description: `${WEBHOOK_EVENT_TYPES[type]} Delivered at least once; retried with backoff for 3 days until the endpoint answers 2xx.`,
        operationId: `webhook_${type.replace(/\./g, "_")}`,
        parameters: Object.entries(signatureHeaders).map(([name, h]) => ({ name, in: "header", ...h })),
        requestBody: { required: true, content: { "application/json": { schema: { $ref: `#/components/schemas/${schemaName(type)}` } } } },
        responses: { "2XX": { description: "Received: not sent again." }, default: { description: "Anything else (or no answer within 10 s) is retried." } },
      },
    };
  }
  return { webhooks, schemas };
}
