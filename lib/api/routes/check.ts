import { checkUsage } from "@/lib/billing";
import { db } from "@/lib/db";
import { keyedApiRoute } from "../auth";
import { readJson } from "../body";
import { apiEndpoint } from "../endpoint";
import { json } from "../respond";
import { checkRequestSchema } from "../schemas";
import { quotaHeaders, wireAnswer } from "../wire";

// Always 200: `allowed` says whether recording these units now would be accepted; nothing is written.
export default apiEndpoint({
  POST: keyedApiRoute(async (req, key) => {
    const { workspace, ...body } = await readJson(req, checkRequestSchema);
    const answer = await checkUsage(db(), { ...body, workspaceId: key(workspace) });
    return json(wireAnswer(answer), { headers: quotaHeaders(answer) });
  }),
});
