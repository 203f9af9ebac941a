import { apiEndpoint } from "@/lib/api/endpoint";
import { env } from "@/lib/env";
import { openApiDocument } from "@/lib/api/openapi";
import { json } from "@/lib/api/respond";

// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false } };

export default apiEndpoint({ GET: () => json(openApiDocument(env().APP_URL), { headers: { "cache-control": "public, max-age=300" } }) });
