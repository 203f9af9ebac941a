import { apiEndpoint } from "@/lib/api/endpoint";
import { json } from "@/lib/api/respond";

// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false } };

// The framework's own ceiling for the benchmark: a route of the API that touches nothing.
export default apiEndpoint({ GET: () => json({ ok: true }) });
