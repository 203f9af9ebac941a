import { newId } from "./ids";
import { pinnedPrevious, pinnedShape } from "./shape";
import type { StripeEvent } from "./types";

export interface RequestInfo {
  id: string | null;
  idempotency_key: string | null;
}

/** Builds a Stripe event around a snapshot of the object as it is now. */
export function buildEvent(type: string, object: unknown, apiVersion: string, request: RequestInfo, previous?: Record<string, unknown>): StripeEvent {
  const event: StripeEvent = {
    id: newId("evt"),
    object: "event",
    api_version: apiVersion,
    created: Math.floor(Date.now() / 1000),
    data: { object: pinnedShape(structuredClone(object)) },
    livemode: false,
    pending_webhooks: 0,
    request: { ...request },
    type,
  };
  const before = previous && pinnedPrevious(structuredClone(previous), (object as { object?: unknown }).object);
  if (before && Object.keys(before).length > 0) event.data.previous_attributes = before;
  return event;
}

/** The values of `keys` in `before` that differ in `after` (Stripe's previous_attributes). */
export function changedAttributes(before: Record<string, unknown>, after: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = before[k];
  return out;
}
