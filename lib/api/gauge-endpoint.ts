import { claimGauge, releaseGauge } from "@/lib/billing";
import { db } from "@/lib/db";
import { inputFirst, requireApiKey } from "./auth";
import { readJson } from "./body";
import type { ApiHandler } from "./endpoint";
import { requiredIdempotencyKey, routeParam } from "./params";
import { json } from "./respond";
import { gaugeRequestSchema } from "./platform-schemas";
import { quotaHeaders, wireAnswer } from "./wire";

/**
 * The POST handler of /api/v1/gauges/{feature}/claim and /release: answers like POST /api/v1/usage (402
 * quota_exhausted at the limit; a replayed key returns the first answer).
 */
export function gaugePost(op: "claim" | "release"): ApiHandler {
  const apply = op === "claim" ? claimGauge : releaseGauge;
  return async (req) => {
    const { workspace, units, idempotencyKey } = await inputFirst(req, async () => {
      const body = await readJson(req, gaugeRequestSchema);
      return {
        ...body,
        idempotencyKey: requiredIdempotencyKey(req, body.idempotencyKey),
      };
    });
    const { workspaceId } = await requireApiKey(req, workspace);
    const answer = await apply(db(), {
      workspaceId,
      feature: routeParam(req, "feature"),
      units: units ?? 1,
      idempotencyKey,
    });
    return json(wireAnswer(answer), { headers: quotaHeaders(answer) });
  };
}
