import { db } from "@/lib/db";
import { apiActor, inputFirst, requirePlatformKey } from "@/lib/api/auth";
import { readJson } from "@/lib/api/body";
import { apiEndpoint } from "@/lib/api/endpoint";
import { idempotencyKeyOf } from "@/lib/api/params";
import { json } from "@/lib/api/respond";
import { endpointWire, webhookEndpointCreateSchema } from "@/lib/api/webhook-endpoint-schemas";
import { createEndpoint, listEndpoints } from "@/lib/webhooks/endpoints";
import { EVENT_TYPE_LIST } from "@/lib/webhooks/event-types";

// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false } };

const MANAGE = "manage webhook endpoints; operators manage them in the console";

// The platform's outgoing webhook endpoints, as the console manages them (same rules, same audit log).
export default apiEndpoint({
  GET: async (req) => {
    await requirePlatformKey(req, MANAGE);
    return json({ data: (await listEndpoints(db())).map(endpointWire) });
  },
  POST: async (req) => {
    const body = await inputFirst(req, () => readJson(req, webhookEndpointCreateSchema));
    const principal = await requirePlatformKey(req, MANAGE);
    const idempotencyKey = idempotencyKeyOf(req, body.idempotencyKey) ?? undefined;
    const input = { url: body.url, description: body.description, eventTypes: body.eventTypes ?? EVENT_TYPE_LIST };
    const { endpoint, secret } = await createEndpoint(db(), apiActor(principal), input, { idempotencyKey });
    return json({ ...endpointWire(endpoint), secret }, { status: 201 });
  },
});
