// Cross-site request checks for what a signed-in browser does with its session cookie.
import { headers } from "next/headers";
import { AppError } from "@/lib/errors";

/** The host the request was addressed to, as a proxy in front reports it (Vercel sets x-forwarded-host). */
function requestHost(h: Headers): string | null {
  return h.get("x-forwarded-host")?.split(",")[0]?.trim() || h.get("host");
}

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/**
 * A mutation with the session cookie must say where it comes from, and that must be this site. Next.js
 * refuses a foreign Origin on server actions but lets a request without one through; every browser
 * sends Origin on a POST, so a missing one (or "null", from sandboxed frames and privacy redirects) is
 * a hand-made request and is refused too.
 */
export function isSameOriginMutation(h: Headers): boolean {
  const origin = h.get("origin");
  if (!origin || origin === "null") return false;
  const host = requestHost(h);
  return host !== null && originHost(origin) === host;
}

/**
 * A read with the session cookie (a download): a link click sends no Origin and is fine, but a request
 * another site's script made (a foreign or "null" Origin, or Sec-Fetch-Site cross-site) is refused.
 */
export function isSameSiteRead(h: Headers): boolean {
  if (h.get("sec-fetch-site") === "cross-site") return false;
  const origin = h.get("origin");
  if (origin === null) return true;
  return isSameOriginMutation(h);
}

/** For server actions: throws AppError forbidden unless the request is same-origin. */
export async function requireSameOrigin(): Promise<void> {
  if (!isSameOriginMutation(await headers())) {
    throw new AppError("forbidden", "This request did not come from this site's pages. Reload the page and try again.");
  }
}
