import type { IncomingMessage } from "node:http";
import { apiKeyScope, authenticateApiKey, type ApiKeyScope, type ApiPrincipal } from "@/lib/api-keys";
import { isResolved, resolveWorkspace } from "@/lib/billing";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { clientAddress } from "@/lib/net/client-address";
import type { ApiHandler } from "./endpoint";
import type { ApiReply } from "./respond";

/** A request header's value (the first, when sent more than once). */
export const headerOf = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The bearer token of the request, or null when there is none. */
export function bearerToken(req: IncomingMessage): string | null {
  const m = headerOf(req, "authorization")?.match(/^Bearer\s+(\S+)\s*$/i);
  return m?.[1] ?? null;
}

/** Who the bad-key limiter counts against: the client's address, read as TRUST_PROXY says. */
export function clientKeyOf(req: IncomingMessage): string {
  return clientAddress({ forwardedFor: headerOf(req, "x-forwarded-for"), peerAddress: req.socket?.remoteAddress }, env().TRUST_PROXY);
}

/** The workspace whose key signed this request; unauthorized (401) or rate_limited (429) otherwise. */
export function requireApiKey(req: IncomingMessage): Promise<ApiPrincipal> {
  return authenticateApiKey(db(), { secret: bearerToken(req), clientKey: clientKeyOf(req) });
}

const refusedKey = (e: unknown) => isAppError(e) && (e.code === "unauthorized" || e.code === "rate_limited");

/**
 * A handler that passes the request's key to the engine as the workspace, so the engine's first
 * statement checks the key and does the work in one round trip. A handler that fails before that
 * statement (bad input) has the key checked on its own first: a caller without a valid key only ever
 * learns 401 or 429, as if the key had been checked before anything else.
 */
export function keyedApiRoute(handler: (req: IncomingMessage, key: ApiKeyScope) => Promise<ApiReply>): ApiHandler {
  return async (req) => {
    const key = apiKeyScope(db(), { secret: bearerToken(req), clientKey: clientKeyOf(req) });
    try {
      return await handler(req, key);
    } catch (e) {
      if (isAppError(e) && e.status < 500 && !refusedKey(e) && !isResolved(key)) await resolveWorkspace(db(), key);
      throw e;
    }
  };
}
