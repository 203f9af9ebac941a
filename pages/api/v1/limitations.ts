import { limitations } from "@/lib/billing";
import { db } from "@/lib/db";
import { queryOf, requireApiKey } from "@/lib/api/auth";
import { apiEndpoint } from "@/lib/api/endpoint";
import { json } from "@/lib/api/respond";
import { wireLimitations } from "@/lib/api/wire";

// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false } };

export default apiEndpoint({
  GET: async (req) => {
    const { workspaceId } = await requireApiKey(req, queryOf(req).get("workspace"));
    return json(wireLimitations(await limitations(db(), workspaceId)));
  },
});
