import { limitations } from "@/lib/billing";
import { db } from "@/lib/db";
import { queryOf, requireApiKey } from "../auth";
import { apiEndpoint } from "../endpoint";
import { json } from "../respond";
import { wireLimitations } from "../wire";

export default apiEndpoint({
  GET: async (req) => {
    const { workspaceId } = await requireApiKey(req, queryOf(req).get("workspace"));
    return json(wireLimitations(await limitations(db(), workspaceId)));
  },
});
