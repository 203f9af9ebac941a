import { recordUsageBatch } from "@/lib/billing";
import { db } from "@/lib/db";
import { keyedApiRoute } from "../auth";
import { resolveWorkspace } from "@/lib/billing";
import { readJson } from "../body";
import { apiEndpoint } from "../endpoint";
import { errorBody, json } from "../respond";
import { batchRequestSchema, type BatchResponse } from "../schemas";
import { wireAnswer } from "../wire";

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
