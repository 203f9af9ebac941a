import { authenticateApiKey, type ApiPrincipal } from "@/lib/api-keys";
import { db } from "@/lib/db";

/** The bearer token of the request, or null when there is none. */
export function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization");
  const m = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return m?.[1] ?? null;
}

/**
 * Who the bad-key limiter counts against: the client address as the proxy in front reports it
 * (Vercel and most load balancers put the client first in X-Forwarded-For).
 */
export function clientKeyOf(req: Request): string {
  const forwarded = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || req.headers.get("x-real-ip")?.trim() || "unknown";
}

/** The workspace whose key signed this request; unauthorized (401) or rate_limited (429) otherwise. */
export function requireApiKey(req: Request): Promise<ApiPrincipal> {
  return authenticateApiKey(db(), { secret: bearerToken(req), clientKey: clientKeyOf(req) });
}
