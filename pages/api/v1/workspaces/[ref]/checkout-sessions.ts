import { db } from "@/lib/db";
import { inputFirst, requireApiKey } from "@/lib/api/auth";
import { readJson } from "@/lib/api/body";
import { apiEndpoint } from "@/lib/api/endpoint";
import { idempotencyKeyOf, routeParam } from "@/lib/api/params";
import { json } from "@/lib/api/respond";
import { checkoutSessionSchema } from "@/lib/api/platform-schemas";
import { startPlanCheckout } from "@/lib/payments";
import { checkRedirectUrl } from "@/lib/platform/redirects";

// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false } };

// A subscription checkout for the workspace, returning to the integrator's own pages.
export default apiEndpoint({
  POST: async (req) => {
    const body = await inputFirst(req, () => readJson(req, checkoutSessionSchema));
    const { workspaceId } = await requireApiKey(req, routeParam(req, "ref"));
    const returnUrls = { success: checkRedirectUrl(body.successUrl, "successUrl"), cancel: checkRedirectUrl(body.cancelUrl, "cancelUrl") };
    const { slug } = await db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { slug: true } });
    const requestKey = idempotencyKeyOf(req, body.idempotencyKey) ?? crypto.randomUUID();
    const { url } = await startPlanCheckout(db(), { workspaceId, slug, planKey: body.plan, interval: body.interval, requestKey, returnUrls });
    return json({ url });
  },
});
