import { createHmac, randomBytes } from "node:crypto";

// Standard Webhooks (standardwebhooks.com): the secret is `whsec_` + base64 of the key; the signature is
// `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)), timestamp in Unix seconds.

export function newEndpointSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export function signPayload(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64")}`;
}

/** The three headers of one delivery attempt. */
export function webhookHeaders(secret: string, id: string, body: string, now: Date): Record<string, string> {
  const ts = Math.floor(now.getTime() / 1000);
  return {
    "content-type": "application/json",
    "user-agent": "Tally-Webhooks/1",
    "webhook-id": id,
    "webhook-timestamp": String(ts),
    "webhook-signature": signPayload(secret, id, ts, body),
  };
}
