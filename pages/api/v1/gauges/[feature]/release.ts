import { apiEndpoint } from "@/lib/api/endpoint";
import { gaugePost } from "@/lib/api/gauge-endpoint";

// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false } };

export default apiEndpoint({ POST: gaugePost("release") });
