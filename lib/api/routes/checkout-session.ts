import type { z } from "zod";
import { db } from "@/lib/db";
import { checkRedirectUrl } from "@/lib/platform/redirects";
import { inputFirst, requireApiKey } from "../auth";
import { readJson } from "../body";
import { apiEndpoint } from "../endpoint";
import { idempotencyKeyOf, routeParam } from "../params";
import { sessionKeySchema } from "../platform-schemas";
import { json } from "../respond";

type CheckoutBody = { successUrl: string; cancelUrl: string; idempotencyKey?: string };

/** What a checkout starts from: the workspace the path names, the request's key, and the integrator's pages. */
export interface CheckoutStart {
  workspaceId: string;
  slug: string;
  requestKey: string;
  returnUrls: { success: string; cancel: string };
}

/**
 * A Checkout session for the workspace the path names ({ref}), returning to the integrator's own pages: `start`
 * opens it (a plan or a pack) and answers `{url}`. A request without an idempotency key gets one of its own.
 */
export function checkoutSessionEndpoint<S extends z.ZodType<CheckoutBody>>(schema: S, start: (body: z.infer<S>, at: CheckoutStart) => Promise<{ url: string }>) {
  return apiEndpoint({
    POST: async (req) => {
      const body = await inputFirst(req, () => readJson(req, schema));
      const { workspaceId } = await requireApiKey(req, await inputFirst(req, () => routeParam(req, "ref")));
      const returnUrls = { success: checkRedirectUrl(body.successUrl, "successUrl"), cancel: checkRedirectUrl(body.cancelUrl, "cancelUrl") };
      const { slug } = await db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { slug: true } });
      const requestKey = idempotencyKeyOf(req, body.idempotencyKey, sessionKeySchema) ?? crypto.randomUUID();
      const { url } = await start(body, { workspaceId, slug, requestKey, returnUrls });
      return json({ url });
    },
  });
}
