import { db } from "@/lib/db";
import { apiActor, inputFirst, requireApiKey } from "../auth";
import { readJson } from "../body";
import { apiEndpoint } from "../endpoint";
import { routeParam } from "../params";
import { json } from "../respond";
import { workspacePatchSchema } from "../platform-schemas";
import { updateWorkspace, workspaceView } from "@/lib/platform/workspaces";

// {ref}: the workspace's Tally id or externalId. A workspace key reaches only its own workspace (another is 404).
export default apiEndpoint({
  GET: async (req) => {
    const { workspaceId } = await requireApiKey(req, await inputFirst(req, () => routeParam(req, "ref")));
    return json(await workspaceView(db(), workspaceId));
  },
  PATCH: async (req) => {
    const body = await inputFirst(req, () => readJson(req, workspacePatchSchema));
    const principal = await requireApiKey(req, await inputFirst(req, () => routeParam(req, "ref")));
    return json(await updateWorkspace(db(), apiActor(principal), { workspaceId: principal.workspaceId, ...body, byPlatform: !!principal.platform }));
  },
});
