import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { openApiDocument } from "@/lib/api/openapi";
import { EVENT_TYPE_LIST } from "./event-types";
import { eventBody, nextDelay, BACKOFF_MS } from "./deliver";
import { newEndpointSecret, webhookHeaders } from "./signature";

describe("outgoing webhook signatures", () => {
  it("are what the standardwebhooks package verifies, and nothing else", () => {
    const secret = newEndpointSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = eventBody({ eventId: "msg_1", type: "invoice.paid", createdAt: "2026-12-03T00:00:00.000Z", workspaceId: "ws_1", workspaceExternalId: null, data: '{"a": 1}' });
    const headers = webhookHeaders(secret, "msg_1", body, new Date());
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ id: "msg_1", type: "invoice.paid", data: { a: 1 } });
    expect(() => new Webhook(secret).verify(body.replace('"a": 1', '"a": 2'), headers)).toThrow();
    expect(() => new Webhook(newEndpointSecret()).verify(body, headers)).toThrow();
  });

  it("back off as scheduled, then every 10 hours", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(nextDelay)).toEqual([...BACKOFF_MS, BACKOFF_MS[5], BACKOFF_MS[5]]);
  });

  it("are described, every type, in the OpenAPI document's webhooks", () => {
    const doc = openApiDocument() as { webhooks: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.webhooks)).toEqual(EVENT_TYPE_LIST);
    expect(EVENT_TYPE_LIST).toHaveLength(18);
  });
});
