import { db } from "@/lib/db";
import { inputFirst, requireApiKey } from "../auth";
import { readJson } from "../body";
import { apiEndpoint } from "../endpoint";
import { idempotencyKeyOf, routeParam } from "../params";
import { json } from "../respond";
import { checkoutSessionSchema } from "../platform-schemas";
import { startPlanCheckout } from "@/lib/payments";
import { checkRedirectUrl } from "@/lib/platform/redirects";

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
