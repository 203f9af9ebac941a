import { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/config";
import { retryAfterSeconds } from "@/lib/auth/rate-limit";
import { env } from "@/lib/env";

/**
 * Auth.js builds its URLs (an OAuth redirect_uri above all) from the request's origin, which the server may
 * report differently from the address the browser used (localhost for 127.0.0.1, an internal host behind a
 * proxy): then the redirect_uri of the code exchange differs from the one the provider saw, and it refuses.
 * APP_URL is the app's one public address, so every Auth.js request is read as made to it.
 */
const onAppOrigin = (req: NextRequest) => new NextRequest(new URL(req.nextUrl.pathname + req.nextUrl.search, env().APP_URL), req);

export const GET = (req: NextRequest) => handlers.GET(onAppOrigin(req));

/**
 * Auth.js answers a refused credentials sign-in with a redirect to the sign-in form; when the rate
 * limit refused it (code=rate_limited), a client posting here directly gets 429 with Retry-After.
 */
export async function POST(req: NextRequest): Promise<Response> {
  const res = await handlers.POST(onAppOrigin(req));
  const location = res.headers.get("location");
  if (!location || new URL(location, req.nextUrl.origin).searchParams.get("code") !== "rate_limited") return res;
  const retryAfter = retryAfterSeconds("sign-in", new Date());
  return Response.json(
    { error: { code: "rate_limited", message: "Too many sign-in attempts; try again later.", details: { retryAfter } } },
    { status: 429, headers: { "retry-after": String(retryAfter), "cache-control": "no-store" } },
  );
}
