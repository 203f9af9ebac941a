import { apiEndpoint } from "../endpoint";
import { env } from "@/lib/env";
import { openApiDocument } from "../openapi";
import { json } from "../respond";

export default apiEndpoint({ GET: () => json(openApiDocument(env().APP_URL), { headers: { "cache-control": "public, max-age=300" } }) });
