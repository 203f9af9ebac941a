import { db } from "@/lib/db";
import { inputFirst, requireApiKey } from "../auth";
import { readJson } from "../body";
import { apiEndpoint } from "../endpoint";
import { routeParam } from "../params";
import { json } from "../respond";
import { portalSessionSchema } from "../platform-schemas";
import { openBillingPortal } from "@/lib/payments";
import { checkRedirectUrl } from "@/lib/platform/redirects";

// A billing portal session (card, invoices, cancel) whose back link goes to the integrator's page.
export default apiEndpoint({
  POST: async (req) => {
    const body = await inputFirst(req, () => readJson(req, portalSessionSchema));
    const { workspaceId } = await requireApiKey(req, await inputFirst(req, () => routeParam(req, "ref")));
    const returnUrl = checkRedirectUrl(body.returnUrl, "returnUrl");
    const { slug } = await db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { slug: true } });
    return json({ url: await openBillingPortal(db(), { workspaceId, slug, returnUrl }) });
  },
});
