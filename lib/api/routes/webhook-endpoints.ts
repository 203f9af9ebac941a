import { db } from "@/lib/db";
import { apiActor, inputFirst, requirePlatformKey } from "../auth";
import { readJson } from "../body";
import { apiEndpoint } from "../endpoint";
import { idempotencyKeyOf } from "../params";
import { json } from "../respond";
import { endpointWire, webhookEndpointCreateSchema } from "../webhook-endpoint-schemas";
import { createEndpoint, listEndpoints } from "@/lib/webhooks/endpoints";
import { EVENT_TYPE_LIST } from "@/lib/webhooks/event-types";

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
