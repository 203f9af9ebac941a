import { db } from "@/lib/db";
import { apiActor, inputFirst, requireApiKey } from "@/lib/api/auth";
import { readJson } from "@/lib/api/body";
import { apiEndpoint } from "@/lib/api/endpoint";
import { routeParam } from "@/lib/api/params";
import { json } from "@/lib/api/respond";
import { workspacePatchSchema } from "@/lib/api/platform-schemas";
import { updateWorkspace, workspaceView } from "@/lib/platform/workspaces";

// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false } };

// {ref}: the workspace's Tally id or externalId. A workspace key reaches only its own workspace (another is 404).
export default apiEndpoint({
  GET: async (req) => {
    const { workspaceId } = await requireApiKey(req, routeParam(req, "ref"));
    return json(await workspaceView(db(), workspaceId));
  },
  PATCH: async (req) => {
    const body = await inputFirst(req, () => readJson(req, workspacePatchSchema));
    const principal = await requireApiKey(req, routeParam(req, "ref"));
    return json(await updateWorkspace(db(), apiActor(principal), { workspaceId: principal.workspaceId, ...body }));
  },
});
