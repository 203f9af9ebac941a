// The metering API's request and response shapes: the handlers parse with these and the OpenAPI
// document is generated from them, so the two cannot drift apart.
import { z } from "zod";
import { costsSchema } from "@/lib/billing/costs";
import { featureSchema, idempotencyKeySchema, MAX_METADATA_BYTES, MAX_METADATA_DEPTH } from "@/lib/billing/validation";
import type { ExactNumber } from "./json";

/** Most events one batch may carry. */
export const MAX_BATCH_EVENTS = 1000;

export const unitsSchema = z
  .union([
    z.number().gt(0).max(Number.MAX_SAFE_INTEGER),
    z.string().regex(/^(?:0|[1-9]\d*)(?:\.\d{1,6})?$/, "must be a decimal such as 12.5"),
  ])
  .meta({ description: "Units to record: a number or a decimal string, greater than 0, at most 2^53 - 1 and six decimal places." });

const metadataSchema = z
  .record(z.string(), z.unknown())
  .meta({ description: `Free-form JSON object stored with the event (at most ${MAX_METADATA_BYTES} bytes, nested at most ${MAX_METADATA_DEPTH} levels).` });

/** With a platform key: the workspace the request acts for. A workspace key may name only its own. */
export const workspaceRefSchema = z
  .string()
  .min(1)
  .max(200)
  .meta({ description: "With a platform key, the workspace to act for: its Tally id or your externalId (required). A workspace key may name only its own workspace; another gets 404." });

const eventFields = {
  feature: featureSchema.meta({ description: "The entitlement's feature key, e.g. compute or api_calls." }),
  units: unitsSchema.optional(),
  costs: costsSchema.optional().meta({ description: "Costs of a run, priced into units with the plan's ratios (instead of units)." }),
  metadata: metadataSchema.optional(),
  // Checked by the engine, which answers invalid_timestamp for a malformed one too.
  timestamp: z
    .string()
    .max(64)
    .optional()
    .meta({
      format: "date-time",
      description:
        "When the usage happened, to backdate the event (ISO 8601 with an offset, e.g. 2026-05-01T12:00:00Z): at most 24 hours in the past and never in the future (up to 5 seconds of clock skew is tolerated and taken as now); otherwise 400 invalid_timestamp. The event counts in the window that contains it. Part of the payload: the same key with another timestamp is 409.",
      example: "2026-05-01T12:00:00Z",
    }),
};

export const usageRequestSchema = z
  .strictObject({
    ...eventFields,
    workspace: workspaceRefSchema.optional(),
    idempotencyKey: idempotencyKeySchema.optional().meta({ description: "Required here or in the Idempotency-Key header; a replay returns the first answer." }),
  })
  .meta({ description: "Exactly one of units or costs." });

export const batchEventSchema = z
  .strictObject({ ...eventFields, idempotencyKey: idempotencyKeySchema })
  .meta({ description: "Exactly one of units or costs; each event has its own idempotency key." });

export const batchRequestSchema = z.strictObject({ workspace: workspaceRefSchema.optional(), events: z.array(batchEventSchema).min(1).max(MAX_BATCH_EVENTS) });

export const checkRequestSchema = z
  .strictObject({ workspace: workspaceRefSchema.optional(), feature: eventFields.feature, units: unitsSchema.optional(), costs: eventFields.costs })
  .meta({ description: "At most one of units or costs; 1 unit when neither is sent." });

/**
 * An amount in an answer: a JSON number with the engine's exact digits, however many (json.ts writes it).
 * The brand marks it for Wire<>, the type the handlers build answers in.
 */
const amountSchema = z.number().brand<"amount">();

export const usageAnswerSchema = z
  .object({
    allowed: z.boolean(),
    feature: z.string(),
    units: amountSchema,
    remaining: amountSchema.nullable().meta({ description: "Quota left in the current window; null when unlimited." }),
    extrasRemaining: amountSchema.meta({ description: "Extras balance; negative means extras cover nothing until topped up." }),
    resetsAt: z.string().nullable().meta({ description: "When the current window ends (ISO 8601, UTC); null when it never resets." }),
  })
  ;

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "What went wrong, for code to branch on (the Error schema lists every code)." }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  ;

export const batchResultSchema = z
  .object({
    index: z.int().meta({ description: "Position of the event in the request." }),
    idempotencyKey: z.string(),
    status: z.int().meta({ description: "What POST /api/v1/usage would have answered for this event alone: 200, 400, 402 or 409." }),
    answer: usageAnswerSchema.optional(),
    error: errorSchema.shape.error.optional(),
  })
  ;

export const batchResponseSchema = z
  .object({
    results: z.array(batchResultSchema),
    accepted: z.int(),
    refused: z.int().meta({ description: "Events answered 402 (quota_exhausted)." }),
    failed: z.int().meta({ description: "Events answered 400 or 409." }),
  })
  ;

export const limitationsSchema = z
  .object({
    workspaceId: z.string(),
    plan: z.object({ key: z.string(), version: z.int(), name: z.string() }),
    status: z.string(),
    trialEndsAt: z.string().nullable(),
    currentPeriodEnd: z.string().nullable(),
    entitlements: z.array(
      z.object({
        feature: z.string(),
        kind: z.enum(["meter", "gauge"]),
        period: z.enum(["day", "week", "month", "billing_period", "lifetime"]),
        overflow: z.enum(["block", "extras", "soft"]),
        limit: amountSchema.nullable(),
        used: amountSchema,
        remaining: amountSchema.nullable(),
        resetsAt: z.string().nullable(),
      }),
    ),
    extras: z.object({
      balance: amountSchema,
      usable: amountSchema,
      expiringSoon: z.array(z.object({ remaining: amountSchema, expiresAt: z.string() })),
    }),
  })
  ;

export type UsageRequest = z.infer<typeof usageRequestSchema>;
export type BatchEvent = z.infer<typeof batchEventSchema>;
/** What a handler answers for a schema: its amounts as ExactNumber, everything else as the schema says. */
export type Wire<T> = T extends z.$brand<"amount">
  ? ExactNumber
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export type WireAnswer = Wire<z.infer<typeof usageAnswerSchema>>;
export type BatchResult = Wire<z.infer<typeof batchResultSchema>>;
export type BatchResponse = Wire<z.infer<typeof batchResponseSchema>>;
export type WireLimitations = Wire<z.infer<typeof limitationsSchema>>;
