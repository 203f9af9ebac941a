import { db } from "@/lib/db";
import { apiActor, inputFirst, requirePlatformKey } from "../auth";
import { readJson } from "../body";
import { apiEndpoint } from "../endpoint";
import { routeParam } from "../params";
import { json } from "../respond";
import { endpointWire, webhookEndpointPatchSchema } from "../webhook-endpoint-schemas";
import { deleteEndpoint, endpointById, updateEndpoint } from "@/lib/webhooks/endpoints";
import { kickDeliveries } from "@/lib/webhooks/sender";

const MANAGE = "manage webhook endpoints; operators manage them in the console";

export default apiEndpoint({
  GET: async (req) => {
    await requirePlatformKey(req, MANAGE);
    return json(endpointWire(await endpointById(db(), routeParam(req, "id"))));
  },
  PATCH: async (req) => {
    const body = await inputFirst(req, () => readJson(req, webhookEndpointPatchSchema));
    const principal = await requirePlatformKey(req, MANAGE);
    const { endpoint, enabled } = await updateEndpoint(db(), apiActor(principal), routeParam(req, "id"), body);
    // Enabled again: what waited goes out now rather than at the next cron run.
    if (enabled) void kickDeliveries(db());
    return json(endpointWire(endpoint));
  },
  DELETE: async (req) => {
    const principal = await requirePlatformKey(req, MANAGE);
    const id = routeParam(req, "id");
    await deleteEndpoint(db(), apiActor(principal), id);
    return json({ id, deleted: true });
  },
});
