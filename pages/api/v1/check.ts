import { checkUsage } from "@/lib/billing";
import { db } from "@/lib/db";
import { keyedApiRoute } from "@/lib/api/auth";
import { readJson } from "@/lib/api/body";
import { apiEndpoint } from "@/lib/api/endpoint";
import { json } from "@/lib/api/respond";
import { checkRequestSchema } from "@/lib/api/schemas";
import { quotaHeaders, wireAnswer } from "@/lib/api/wire";

// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false } };

// Always 200: `allowed` says whether recording these units now would be accepted; nothing is written.
export default apiEndpoint({
  POST: keyedApiRoute(async (req, key) => {
    const { workspace, ...body } = await readJson(req, checkRequestSchema);
    const answer = await checkUsage(db(), { ...body, workspaceId: key(workspace) });
    return json(wireAnswer(answer), { headers: quotaHeaders(answer) });
  }),
});
