import { createHmac, timingSafeEqual } from "node:crypto";

// Linking a provider from account settings is a round trip through the provider. Before leaving, the
// signed-in user's browser gets this short-lived, signed cookie; when the provider sends the browser back,
// the sign-in callback links the identity to that user only if the cookie is there, signed, unexpired, for
// that provider, and the user has not ended their sessions since (sessionVersion).

export const LINK_INTENT_COOKIE = "tally-link-intent";
export const LINK_INTENT_SECONDS = 10 * 60;

export interface LinkIntent {
  uid: string;
  sv: number;
  provider: string;
  exp: number;
}

const mac = (secret: string, body: string) => createHmac("sha256", secret).update(`link-intent.${body}`).digest("base64url");

export function sealLinkIntent(secret: string, intent: Omit<LinkIntent, "exp">, now = Date.now()): string {
  const body = Buffer.from(JSON.stringify({ ...intent, exp: Math.floor(now / 1000) + LINK_INTENT_SECONDS })).toString("base64url");
  return `${body}.${mac(secret, body)}`;
}

/** The intent in a cookie value, or null when it is missing, forged, expired or for another provider. */
export function openLinkIntent(secret: string, value: string | undefined, provider: string, now = Date.now()): LinkIntent | null {
  const [body, sig] = (value ?? "").split(".");
  if (!body || !sig) return null;
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const intent = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as LinkIntent;
    if (intent.provider !== provider || typeof intent.uid !== "string" || typeof intent.sv !== "number" || intent.exp * 1000 < now) return null;
    return intent;
  } catch {
    return null;
  }
}
