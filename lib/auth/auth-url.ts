/**
 * Auth.js builds its URLs (an OAuth redirect_uri above all) from AUTH_URL. Unset, a server action (signIn
 * from "Link Google") takes the forwarded host while the route handler takes Next's request URL, and the
 * two can differ: then the redirect_uri of the code exchange is not the one the provider saw, and it
 * refuses. APP_URL is the app's one public address. Next's request URL names a loopback APP_URL
 * (127.0.0.1, [::1]) "localhost", so Auth.js is given that spelling too.
 */
export function authUrl(appUrl: string): string {
  const u = new URL(appUrl);
  if (u.hostname === "127.0.0.1" || u.hostname === "[::1]") u.hostname = "localhost";
  return u.origin;
}
