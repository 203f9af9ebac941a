import { recordUsage } from "@/lib/billing";
import { db } from "@/lib/db";
import { keyedApiRoute } from "../auth";
import { readJson } from "../body";
import { apiEndpoint } from "../endpoint";
import { requiredIdempotencyKey } from "../params";
import { json } from "../respond";
import { usageRequestSchema } from "../schemas";
import { quotaHeaders, wireAnswer } from "../wire";

export default apiEndpoint({
  POST: keyedApiRoute(async (req, key) => {
    const { workspace, ...body } = await readJson(req, usageRequestSchema);
    const idempotencyKey = requiredIdempotencyKey(req, body.idempotencyKey);
    const answer = await recordUsage(db(), { ...body, workspaceId: key(workspace), idempotencyKey });
    return json(wireAnswer(answer), { headers: quotaHeaders(answer) });
  }),
});
