import { db as appDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";
import { verifyStripeEvent, type Stripe } from "@/lib/stripe";
import { processStripeEvent } from "./events";

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/**
 * POST /api/webhooks/stripe. The raw body is verified against STRIPE_WEBHOOK_SECRET (300 s tolerance): a
 * bad, stale or missing signature is 400 and nothing is stored. Then the event is applied at most once:
 * 200 for processed, duplicate and unhandled events, 500 when applying failed (so Stripe retries).
 */
export async function handleStripeWebhook(req: Request, deps: { db?: PrismaClient; secret?: string } = {}): Promise<Response> {
  if (req.method !== "POST") return json(405, { error: { code: "method_not_allowed", message: "Use POST." } });
  const body = await req.text();
  let event: Stripe.Event;
  try {
    event = verifyStripeEvent(body, req.headers.get("stripe-signature"), deps.secret ?? env().STRIPE_WEBHOOK_SECRET);
  } catch (e) {
    return json(400, { error: { code: "invalid_signature", message: e instanceof Error ? e.message : "Invalid signature." } });
  }
  const result = await processStripeEvent(deps.db ?? appDb(), event);
  if (result.outcome === "failed") return json(500, { received: true, id: event.id, error: { code: "internal_error", message: result.error } });
  return json(200, { received: true, id: event.id, ...(result.outcome === "duplicate" ? { duplicate: true } : { handled: result.handled }) });
}
