import { apiRouter } from "@/lib/api/router";

// Every path under /api/v1 goes to the API's own routing table (lib/api/router.ts), unknown ones included, on
// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false, externalResolver: true } };

export default apiRouter;
