import { recordUsage } from "@/lib/billing";
import { db } from "@/lib/db";
import { keyedApiRoute } from "@/lib/api/auth";
import { readJson } from "@/lib/api/body";
import { invalid, json } from "@/lib/api/respond";
import { usageRequestSchema } from "@/lib/api/schemas";
import { quotaHeaders, wireAnswer } from "@/lib/api/wire";

export const dynamic = "force-dynamic";

export const POST = keyedApiRoute(async (req, key) => {
  const body = await readJson(req, usageRequestSchema);
  const header = req.headers.get("idempotency-key");
  if (header !== null && body.idempotencyKey !== undefined && header !== body.idempotencyKey) {
    throw invalid("The Idempotency-Key header and idempotencyKey in the body differ; send one of them.", "idempotencyKey");
  }
  const idempotencyKey = body.idempotencyKey ?? header;
  if (!idempotencyKey) throw invalid("idempotencyKey: required (in the body or the Idempotency-Key header).", "idempotencyKey");
  const answer = await recordUsage(db(), { ...body, workspaceId: key, idempotencyKey });
  return json(wireAnswer(answer), { headers: quotaHeaders(answer) });
});
