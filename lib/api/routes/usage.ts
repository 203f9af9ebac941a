import { recordUsage } from "@/lib/billing";
import { db } from "@/lib/db";
import { headerOf, keyedApiRoute } from "../auth";
import { readJson } from "../body";
import { apiEndpoint } from "../endpoint";
import { invalid, json } from "../respond";
import { usageRequestSchema } from "../schemas";
import { quotaHeaders, wireAnswer } from "../wire";

export default apiEndpoint({
  POST: keyedApiRoute(async (req, key) => {
    const { workspace, ...body } = await readJson(req, usageRequestSchema);
    const header = headerOf(req, "idempotency-key") ?? null;
    if (header !== null && body.idempotencyKey !== undefined && header !== body.idempotencyKey) {
      throw invalid("The Idempotency-Key header and idempotencyKey in the body differ; send one of them.", "idempotencyKey");
    }
    const idempotencyKey = body.idempotencyKey ?? header;
    if (!idempotencyKey) throw invalid("idempotencyKey: required (in the body or the Idempotency-Key header).", "idempotencyKey");
    const answer = await recordUsage(db(), { ...body, workspaceId: key(workspace), idempotencyKey });
    return json(wireAnswer(answer), { headers: quotaHeaders(answer) });
  }),
});
