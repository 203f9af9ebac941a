import { limitations } from "@/lib/billing";
import { db } from "@/lib/db";
import { requireApiKey } from "@/lib/api/auth";
import { apiRoute, json } from "@/lib/api/respond";
import { wireLimitations } from "@/lib/api/wire";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (req) => {
  const { workspaceId } = await requireApiKey(req);
  return json(wireLimitations(await limitations(db(), workspaceId)));
});
