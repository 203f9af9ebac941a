import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/config";
import { retryAfterSeconds } from "@/lib/auth/rate-limit";

export const { GET } = handlers;

/**
 * Auth.js answers a refused credentials sign-in with a redirect to the sign-in form; when the rate
 * limit refused it (code=rate_limited), a client posting here directly gets 429 with Retry-After.
 */
export async function POST(req: NextRequest): Promise<Response> {
  const res = await handlers.POST(req);
  const location = res.headers.get("location");
  if (!location || new URL(location, req.nextUrl.origin).searchParams.get("code") !== "rate_limited") return res;
  const retryAfter = retryAfterSeconds("sign-in", new Date());
  return Response.json(
    { error: { code: "rate_limited", message: "Too many sign-in attempts; try again later.", details: { retryAfter } } },
    { status: 429, headers: { "retry-after": String(retryAfter), "cache-control": "no-store" } },
  );
}
