import { createHash } from "node:crypto";
import Stripe from "stripe";
import { env } from "@/lib/env";

export type { Stripe };

export interface StripeConfig {
  secretKey: string;
  /** e.g. http://127.0.0.1:12111 for the local emulator; unset for api.stripe.com. */
  apiBase?: string | null;
}

/** A client for `config`: the SDK's host, port and protocol options point it at `apiBase` when given. */
export function createStripeClient(config: StripeConfig): Stripe {
  const options: Stripe.StripeConfig = { maxNetworkRetries: 2, timeout: 20_000, appInfo: { name: "Tally" } };
  if (config.apiBase) {
    const url = new URL(config.apiBase);
    options.host = url.hostname;
    options.protocol = url.protocol === "https:" ? "https" : "http";
    options.port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  }
  const client = new Stripe(config.secretKey, options);
  accounts.set(client, createHash("sha256").update(`${config.secretKey}|${config.apiBase ?? ""}`).digest("hex").slice(0, 24));
  return client;
}

const accounts = new WeakMap<Stripe, string>();

/**
 * Names the account a client talks to (a digest of its key and API base, never the key), so what was read
 * from one account is not taken for another's.
 */
export function stripeAccountKey(client: Stripe): string {
  return accounts.get(client) ?? "unnamed";
}

// One client per process and configuration; a client holds no billing state, so instances never disagree.
const holder = globalThis as unknown as { tallyStripe?: { key: string; client: Stripe }; tallyStripeOverride?: Stripe };

/** The app's Stripe client, configured from the environment. */
export function stripe(): Stripe {
  if (holder.tallyStripeOverride) return holder.tallyStripeOverride;
  const e = env();
  const key = `${e.STRIPE_SECRET_KEY}|${e.STRIPE_API_BASE ?? ""}`;
  if (holder.tallyStripe?.key !== key) holder.tallyStripe = { key, client: createStripeClient({ secretKey: e.STRIPE_SECRET_KEY, apiBase: e.STRIPE_API_BASE }) };
  return holder.tallyStripe.client;
}

/** Replaces the environment's client (tests and scripts that start their own emulator); undefined restores it. */
export function setStripeClient(client: Stripe | undefined): void {
  holder.tallyStripeOverride = client;
}

export const isStripeError = (e: unknown): e is Stripe.errors.StripeError => e instanceof Stripe.errors.StripeError;
export const isCardError = (e: unknown): e is Stripe.errors.StripeCardError => e instanceof Stripe.errors.StripeCardError;
/** True when Stripe answered from its idempotency store (the same key was used before), not by running the request again. */
export const isReplayedAnswer = (e: Stripe.errors.StripeError): boolean => {
  const headers = e.headers as Record<string, string | undefined> | undefined;
  return headers?.["idempotent-replayed"] === "true";
};
