/**
 * Where to send the browser after sign-in: `next` when it is a path of this site, else `fallback`.
 *
 * A prefix check ("starts with / but not //") is not enough: browsers read a backslash as a slash and
 * drop tabs and newlines inside URLs, so `/\evil.example` or `/\t/evil.example` leave the site. So `next`
 * is resolved against the app's own origin with the URL parser, and refused when its origin differs,
 * when it (or its percent-decoded form, for whatever decodes it later) holds a control character or a
 * backslash or starts with `//`, and when the normalised path would itself start with `//`
 * (`/.//evil.example` normalises to `//evil.example`, which a browser reads as another host).
 * What is returned is the normalised path, never the raw input.
 */
export function safeNextPath(next: unknown, appUrl: string, fallback = "/app"): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.length > 2048) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return fallback;
  }
  if (UNSAFE.test(next) || UNSAFE.test(decoded) || decoded.startsWith("//")) return fallback;
  const origin = new URL(appUrl).origin;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith("//") ? fallback : path;
}

// C0 controls (tab, CR, LF among them), DEL and the backslash.
const UNSAFE = /[\u0000-\u001f\u007f\\]/;
