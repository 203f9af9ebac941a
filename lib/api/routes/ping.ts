import { apiEndpoint } from "../endpoint";
import { json } from "../respond";

// The ceiling of the API's own serving for the benchmark: a route that touches nothing.
export default apiEndpoint({ GET: () => json({ ok: true }) });
