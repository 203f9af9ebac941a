/**
 * The client address the sign-in and sign-up limits count against, from the request's headers, or null.
 *
 * Sign-in runs in server actions and Auth.js routes, which never see the connection itself, and
 * X-Forwarded-For is whatever the client wrote there unless a proxy the deployment trusts (TRUST_PROXY)
 * wrote it. Taking it as given would let a guesser dodge the limit by changing it, or lock out a chosen
 * address. So no address is taken until the trusted reader of TRUST_PROXY is used here; meanwhile the
 * per-email limits apply alone. This is the one place to change.
 */
export function limiterAddress(headers: Headers): string | null {
  void headers;
  return null;
}
