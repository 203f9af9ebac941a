import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

/**
 * Where a checkout or portal may send the customer back to: APP_URL's origin or one listed in
 * ALLOWED_REDIRECT_ORIGINS. Anything else would let a leaked key turn Tally's checkout into a way to
 * send paying customers to someone else's page.
 */
export function allowedRedirectOrigins(): string[] {
  const e = env();
  return [new URL(e.APP_URL).origin, ...e.allowedRedirectOrigins];
}

/** `url` unchanged when its origin is allowed; 400 invalid_redirect_url naming `field` otherwise. */
export function checkRedirectUrl(url: string, field: string): string {
  let origin: string | null = null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "https:" || parsed.protocol === "http:") origin = parsed.origin;
  } catch {
    origin = null;
  }
  const allowed = allowedRedirectOrigins();
  if (origin === null || !allowed.includes(origin)) {
    throw new AppError("invalid_redirect_url", `${field} must be an absolute URL on ${allowed.join(" or ")} (set ALLOWED_REDIRECT_ORIGINS to allow your own site).`, { field });
  }
  return url;
}
