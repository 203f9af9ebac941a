import { clientAddress, type TrustProxy } from "@/lib/net/client-address";

/**
 * The client address the sign-in and sign-up limits count against, from the request's headers, or null
 * when none can be believed (then the per-email limits apply alone).
 *
 * Sign-in runs in server actions and Auth.js routes, which never see the TCP peer. Behind proxies
 * (TRUST_PROXY vercel or a hop count) the address comes from the entry of X-Forwarded-For that the
 * trusted proxies wrote, as everywhere else. Without a trusted proxy, X-Forwarded-For holds whatever
 * the client sent (Next.js fills it with the peer only when it is absent), so it is not used: taking
 * it would let a guesser dodge the limit by changing it, or lock out an address of its choosing.
 */
export function limiterAddress(headers: Headers, trust: TrustProxy): string | null {
  if (trust.kind === "none") return null;
  const address = clientAddress({ forwardedFor: headers.get("x-forwarded-for") ?? undefined, peerAddress: undefined }, trust);
  return address === "unknown" ? null : address;
}
