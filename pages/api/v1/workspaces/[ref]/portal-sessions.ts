import { db } from "@/lib/db";
import { inputFirst, requireApiKey } from "@/lib/api/auth";
import { readJson } from "@/lib/api/body";
import { apiEndpoint } from "@/lib/api/endpoint";
import { routeParam } from "@/lib/api/params";
import { json } from "@/lib/api/respond";
import { portalSessionSchema } from "@/lib/api/platform-schemas";
import { openBillingPortal } from "@/lib/payments";
import { checkRedirectUrl } from "@/lib/platform/redirects";

// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false } };

// A billing portal session (card, invoices, cancel) whose back link goes to the integrator's page.
export default apiEndpoint({
  POST: async (req) => {
    const body = await inputFirst(req, () => readJson(req, portalSessionSchema));
    const { workspaceId } = await requireApiKey(req, routeParam(req, "ref"));
    const returnUrl = checkRedirectUrl(body.returnUrl, "returnUrl");
    const { slug } = await db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { slug: true } });
    return json({ url: await openBillingPortal(db(), { workspaceId, slug, returnUrl }) });
  },
});
