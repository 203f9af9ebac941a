import { claimGauge, releaseGauge } from "@/lib/billing";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { inputFirst, requireApiKey } from "./auth";
import { readJson } from "./body";
import type { ApiHandler } from "./endpoint";
import { requiredIdempotencyKey, routeParam } from "./params";
import { json } from "./respond";
import { gaugeRequestSchema } from "./platform-schemas";
import { quotaHeaders, wireAnswer } from "./wire";
import { isMemberSeatKey, releaseSeatsFromApi, SEAT_FEATURE } from "@/lib/workspaces/seats";

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
    const feature = routeParam(req, "feature");
    // Seats are also the workspace's members (lib/workspaces/seats.ts): their keys are reserved, and their seats are not the API's to release.
    if (feature === SEAT_FEATURE && isMemberSeatKey(idempotencyKey)) {
      throw new AppError("invalid_request", "Idempotency keys starting with seat: or seat-release: are reserved for members' seats; choose another.", { field: "idempotencyKey" });
    }
    const input = { workspaceId, feature, units: units ?? 1, idempotencyKey };
    const answer = op === "release" && feature === SEAT_FEATURE ? await releaseSeatsFromApi(db(), input) : await apply(db(), input);
    return json(wireAnswer(answer), { headers: quotaHeaders(answer) });
  };
}
