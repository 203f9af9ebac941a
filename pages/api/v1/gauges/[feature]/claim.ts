import { claimGauge } from "@/lib/billing";
import { db } from "@/lib/db";
import { inputFirst, requireApiKey } from "@/lib/api/auth";
import { readJson } from "@/lib/api/body";
import { apiEndpoint } from "@/lib/api/endpoint";
import { requiredIdempotencyKey, routeParam } from "@/lib/api/params";
import { json } from "@/lib/api/respond";
import { gaugeRequestSchema } from "@/lib/api/platform-schemas";
import { quotaHeaders, wireAnswer } from "@/lib/api/wire";

// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false } };

// Answers like POST /api/v1/usage: 402 quota_exhausted at the limit, a replayed key returns the first answer.
export default apiEndpoint({
  POST: async (req) => {
    const { workspace, units, idempotencyKey } = await inputFirst(req, async () => {
      const body = await readJson(req, gaugeRequestSchema);
      return { ...body, idempotencyKey: requiredIdempotencyKey(req, body.idempotencyKey) };
    });
    const { workspaceId } = await requireApiKey(req, workspace);
    const answer = await claimGauge(db(), { workspaceId, feature: routeParam(req, "feature"), units: units ?? 1, idempotencyKey });
    return json(wireAnswer(answer), { headers: quotaHeaders(answer) });
  },
});
