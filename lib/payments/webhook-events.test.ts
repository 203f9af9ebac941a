import { describe, expect, it } from "vitest";
import { HANDLED_EVENT_TYPES } from "./webhook-events";

// The events DESIGN.md ("Subscriptions and Stripe") says the webhook handles.
const DESIGNED = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_succeeded",
  "invoice.payment_failed",
  "charge.refunded",
  "invoice.payment_action_required",
  "invoice.finalization_failed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "refund.updated",
  "refund.failed",
  "charge.dispute.created",
  "charge.dispute.closed",
  "customer.subscription.trial_will_end",
];

describe("handled webhook event types", () => {
  it("include every type the design lists, once each", () => {
    expect(HANDLED_EVENT_TYPES).toEqual(expect.arrayContaining(DESIGNED));
    expect(new Set(HANDLED_EVENT_TYPES).size).toBe(HANDLED_EVENT_TYPES.length);
  });
});
