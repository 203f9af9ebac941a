import { recordUsageBatch } from "@/lib/billing";
import { db } from "@/lib/db";
import { keyedApiRoute } from "@/lib/api/auth";
import { resolveWorkspace } from "@/lib/billing";
import { readJson } from "@/lib/api/body";
import { apiEndpoint } from "@/lib/api/endpoint";
import { errorBody, json } from "@/lib/api/respond";
import { batchRequestSchema, type BatchResponse } from "@/lib/api/schemas";
import { wireAnswer } from "@/lib/api/wire";

// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false } };

// A malformed batch is refused whole (400, nothing written); a well-formed one gets a result per event.
export default apiEndpoint({
  POST: keyedApiRoute(async (req, key) => {
    const { workspace, events } = await readJson(req, batchRequestSchema);
    const workspaceId = await resolveWorkspace(db(), key(workspace));
    const outcomes = await recordUsageBatch(db(), { workspaceId, events });
    const out: BatchResponse = { results: [], accepted: 0, refused: 0, failed: 0 };
    outcomes.forEach((o, index) => {
      const idempotencyKey = events[index]!.idempotencyKey;
      if (o.ok) {
        out.accepted++;
        out.results.push({ index, idempotencyKey, status: 200, answer: wireAnswer(o.answer) });
      } else {
        if (o.error.code === "quota_exhausted") out.refused++;
        else out.failed++;
        out.results.push({ index, idempotencyKey, status: o.error.status, error: errorBody(o.error).error });
      }
    });
    return json(out);
  }),
});
