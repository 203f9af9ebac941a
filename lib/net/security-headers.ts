/**
 * The security headers every page and route answers with. No framework imports: next.config.ts
 * applies them to every path, and the HTTP tests read the same list.
 *
 * Scripts and styles: Next.js streams its bootstrap and the RSC payload as inline <script> tags, and
 * React writes inline style attributes. A nonce would cover the scripts, but it has to be minted per
 * request by a proxy and turns every page into a dynamically rendered one (no static pages, no
 * caching) while style attributes would still need 'unsafe-inline'. The app renders no user-supplied
 * HTML (React escapes text), so 'self' plus 'unsafe-inline' is the trade taken here; everything else
 * is locked to this origin, and nothing is loaded from a CDN.
 */
export function contentSecurityPolicy(opts: { dev: boolean }): string {
  return [
    "default-src 'self'",
    // Development only: React's dev build evaluates code for its stack traces, and hot reload uses a websocket.
    `script-src 'self' 'unsafe-inline'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${opts.dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    // Never framed by another site (clickjacking).
    "frame-ancestors 'none'",
    // No form-action: checkout, the billing portal and OAuth sign-in continue off-site after a form post.
  ].join("; ");
}

export function securityHeaders(opts: { production: boolean }): { key: string; value: string }[] {
  const headers = [
    { key: "Content-Security-Policy", value: contentSecurityPolicy({ dev: !opts.production }) },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    // Older browsers that ignore frame-ancestors.
    { key: "X-Frame-Options", value: "DENY" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()" },
  ];
  // Production builds only: a browser that saw HSTS on localhost would refuse plain http there for a year.
  if (opts.production) headers.push({ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" });
  return headers;
}
