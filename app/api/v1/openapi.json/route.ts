import { json } from "@/lib/api/respond";
import { openApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-dynamic";

export function GET() {
  return json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
