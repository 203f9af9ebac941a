import { db } from "@/lib/db";
import { inputFirst, requireApiKey } from "../auth";
import { readJson } from "../body";
import { apiEndpoint } from "../endpoint";
import { idempotencyKeyOf, routeParam } from "../params";
import { json } from "../respond";
import { extrasCheckoutSessionSchema } from "../platform-schemas";
import { startPackCheckout } from "@/lib/payments";
import { checkRedirectUrl } from "@/lib/platform/redirects";

// A checkout for an extras pack, returning to the integrator's own pages.
export default apiEndpoint({
  POST: async (req) => {
    const body = await inputFirst(req, () => readJson(req, extrasCheckoutSessionSchema));
    const { workspaceId } = await requireApiKey(req, routeParam(req, "ref"));
    const returnUrls = { success: checkRedirectUrl(body.successUrl, "successUrl"), cancel: checkRedirectUrl(body.cancelUrl, "cancelUrl") };
    const { slug } = await db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { slug: true } });
    const requestKey = idempotencyKeyOf(req, body.idempotencyKey) ?? crypto.randomUUID();
    const { url } = await startPackCheckout(db(), { workspaceId, slug, pack: body.pack, requestKey, returnUrls });
    return json({ url });
  },
});
