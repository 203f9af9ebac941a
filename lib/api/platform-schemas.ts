// Request and response shapes of the Platform API (workspaces, sessions), gauges and the events list: the
// handlers parse with these and the OpenAPI document is generated from them.
import { z } from "zod";
import { idempotencyKeySchema } from "@/lib/billing/validation";
import { REQUEST_KEY } from "@/lib/payments/request-key";
import { externalIdSchema, provisionSchema, workspacePatchSchema } from "@/lib/platform/workspaces";
import { unitsSchema, workspaceRefSchema } from "./schemas";

export { provisionSchema, workspacePatchSchema };

const redirectUrl = (what: string) => z.string().max(2048).meta({ description: `${what}: an absolute URL on APP_URL's origin or on ALLOWED_REDIRECT_ORIGINS (otherwise 400 invalid_redirect_url).` });
/** A Checkout session's idempotency key, in the body or the Idempotency-Key header: it goes into Stripe's own key. */
export const sessionKeySchema = z.string().regex(REQUEST_KEY, "must be 8 to 80 letters, digits, _ or -");
const requestKey = sessionKeySchema.optional().meta({ description: "The same key gives the same session, and with another body 409 idempotency_conflict (or send the Idempotency-Key header)." });

export const checkoutSessionSchema = z.strictObject({
  plan: z.string().min(1).max(64).meta({ description: "The plan's key, e.g. starter." }),
  interval: z.enum(["month", "year"]).default("month"),
  successUrl: redirectUrl("Where Checkout sends the customer after paying ({CHECKOUT_SESSION_ID} is filled in)"),
  cancelUrl: redirectUrl("Where Checkout sends the customer who goes back"),
  idempotencyKey: requestKey,
});

export const extrasCheckoutSessionSchema = z.strictObject({
  pack: z.string().min(1).max(64).meta({ description: "The extras pack's key, e.g. compute_500." }),
  successUrl: redirectUrl("Where Checkout sends the customer after paying"),
  cancelUrl: redirectUrl("Where Checkout sends the customer who goes back"),
  idempotencyKey: requestKey,
});

export const portalSessionSchema = z.strictObject({ returnUrl: redirectUrl("Where the portal's back link goes") });

export const sessionAnswerSchema = z.object({ url: z.string().meta({ description: "Send the customer here." }) });

export const workspaceSchema = z.object({
  id: z.string(),
  externalId: externalIdSchema.nullable(),
  name: z.string(),
  slug: z.string(),
  plan: z.object({ key: z.string(), version: z.int(), name: z.string() }),
  status: z.string().meta({ description: "free, trialing, active, past_due, degraded, unpaid or canceled." }),
  trialEndsAt: z.string().nullable(),
  createdAt: z.string(),
});

export const gaugeRequestSchema = z.strictObject({
  workspace: workspaceRefSchema.optional(),
  units: unitsSchema.optional().meta({ description: "Whole units to claim or release; 1 when omitted." }),
  idempotencyKey: idempotencyKeySchema.optional().meta({ description: "Required here or in the Idempotency-Key header; a replay returns the first answer." }),
});

export const eventsQuerySchema = z.strictObject({
  workspace: workspaceRefSchema.optional(),
  feature: z.string().min(1).max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: "Events whose timestamp is at or after this time (ISO 8601)." }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: "Events whose timestamp is before this time (ISO 8601)." }),
  cursor: z.string().max(200).optional().meta({ description: "nextCursor of the previous page." }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const amount = z.number().brand<"amount">();

export const usageEventSchema = z.object({
  id: z.string(),
  feature: z.string(),
  units: amount.meta({ description: "Units recorded (negative for a gauge release)." }),
  quotaUnits: amount,
  extrasUnits: amount,
  idempotencyKey: z.string(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  timestamp: z.string().meta({ description: "When the usage happened (ISO 8601, UTC): the time sent with a backdated event, else when it was recorded. The event counts in the window that contains it." }),
  createdAt: z.string().meta({ description: "When Tally recorded the event (ISO 8601, UTC); later than timestamp for a backdated event." }),
});

export const eventsPageSchema = z.object({
  data: z.array(usageEventSchema).meta({ description: "Newest timestamp first." }),
  nextCursor: z.string().nullable().meta({ description: "Pass as cursor for the next page; null on the last one." }),
});
