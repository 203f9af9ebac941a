import { z } from "zod";
import { parseTrustProxy } from "./net/client-address";

// Empty strings count as unset, so `FOO=` in a .env file never becomes the value "".
const blank = (v: unknown) => (v === "" ? undefined : v);
const optional = z.preprocess(blank, z.string().optional());
const required = (name: string) => z.preprocess(blank, z.string({ error: `${name} is required` }).min(1));

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    APP_URL: z.preprocess(blank, z.url().optional()),
    DATABASE_URL: required("DATABASE_URL").pipe(z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
    // Short on purpose: a database outage should become a 503 within seconds, not a hung request.
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(3_000),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
    AUTH_SECRET: required("AUTH_SECRET").pipe(z.string().min(16, "must be at least 16 characters")),
    AUTH_GITHUB_ID: optional,
    AUTH_GITHUB_SECRET: optional,
    AUTH_GOOGLE_ID: optional,
    AUTH_GOOGLE_SECRET: optional,
    AUTH_GOOGLE_ISSUER: optional.pipe(z.url().optional()),
    STRIPE_SECRET_KEY: optional,
    STRIPE_WEBHOOK_SECRET: required("STRIPE_WEBHOOK_SECRET"),
    STRIPE_PUBLISHABLE_KEY: optional,
    STRIPE_API_BASE: optional.pipe(z.url().optional()),
    STRIPE_EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(12111),
    // Stripe Tax on checkouts, upgrades and auto top-ups: auto = on only while the account's tax settings are active.
    STRIPE_AUTOMATIC_TAX: z.preprocess(blank, z.enum(["auto", "on", "off"], { error: 'must be "auto", "on" or "off"' }).default("auto")),
    CRON_SECRET: required("CRON_SECRET").pipe(z.string().min(16, "must be at least 16 characters")),
    SMTP_URL: optional,
    // Operators of the console (/admin) besides those granted with `npm run operator:grant`: comma separated.
    TALLY_OPERATOR_EMAILS: optional,
    EMAIL_FROM: z.string().default("Tally <billing@tally.local>"),
    // Origins besides APP_URL's that checkout and portal sessions made through the API may return to: comma separated.
    ALLOWED_REDIRECT_ORIGINS: z.preprocess(blank, z.string().optional()).transform((v, ctx) => {
      const origins: string[] = [];
      for (const item of (v ?? "").split(/[\s,]+/).filter(Boolean)) {
        let url: URL | null = null;
        try {
          url = new URL(item);
        } catch {
          url = null;
        }
        if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.origin !== item.replace(/\/$/, "")) {
          ctx.addIssue({ code: "custom", message: `"${item}" is not an origin like https://app.example.com (scheme and host, no path)` });
          return z.NEVER;
        }
        origins.push(url.origin);
      }
      return origins;
    }),
    // Whether outgoing webhooks may go to private addresses (this machine, its network, the metadata service):
    // refused in production unless set to allow; allowed in development and tests, whose receivers are local.
    WEBHOOK_PRIVATE_ADDRESSES: z.preprocess(blank, z.enum(["allow", "refuse"], { error: 'must be "allow" or "refuse"' }).optional()),
    // Which forwarding header, if any, names the client (see lib/net/client-address.ts).
    TRUST_PROXY: z.preprocess(blank, z.string().optional()).transform((v, ctx) => {
      const parsed = parseTrustProxy(v);
      if (parsed === null) {
        ctx.addIssue({ code: "custom", message: 'must be unset, "vercel", or the number of proxies in front (1-10)' });
        return z.NEVER;
      }
      return parsed;
    }),
  })
  .superRefine((e, ctx) => {
    if (e.NODE_ENV !== "production") return;
    // Production never falls back to a development default: every value below is required and shaped like the real thing.
    const refuse = (name: string, message: string) => ctx.addIssue({ code: "custom", path: [name], message });
    if (!e.APP_URL) refuse("APP_URL", "APP_URL is required in production (the public https:// URL)");
    else if (!/^https:\/\//i.test(e.APP_URL)) refuse("APP_URL", "must be an https:// URL in production");
    if (typeof e.AUTH_SECRET === "string" && e.AUTH_SECRET.length < 32) refuse("AUTH_SECRET", "must be at least 32 characters in production");
    if (typeof e.CRON_SECRET === "string" && e.CRON_SECRET.length < 32) refuse("CRON_SECRET", "must be at least 32 characters in production");
    if (!e.STRIPE_SECRET_KEY) refuse("STRIPE_SECRET_KEY", "STRIPE_SECRET_KEY is required in production (no local Stripe emulator)");
    else if (!/^(sk|rk)_(live|test)_[A-Za-z0-9]{16,}$/.test(e.STRIPE_SECRET_KEY)) refuse("STRIPE_SECRET_KEY", "must be a Stripe secret or restricted key (sk_live_, sk_test_, rk_live_ or rk_test_)");
    if (typeof e.STRIPE_WEBHOOK_SECRET === "string" && !/^whsec_[A-Za-z0-9+/=_-]{16,}$/.test(e.STRIPE_WEBHOOK_SECRET)) refuse("STRIPE_WEBHOOK_SECRET", "must be a Stripe webhook signing secret (whsec_...)");
    if (e.STRIPE_API_BASE) refuse("STRIPE_API_BASE", "must be unset in production (it points the Stripe SDK away from Stripe)");
    if (e.ALLOWED_REDIRECT_ORIGINS.some((o) => !o.startsWith("https://"))) refuse("ALLOWED_REDIRECT_ORIGINS", "every origin must be https:// in production");
    if (e.AUTH_GOOGLE_ISSUER) refuse("AUTH_GOOGLE_ISSUER", "must be unset in production (it points Google sign-in away from Google)");
  })
  .transform((e) => ({
    ...e,
    APP_URL: e.APP_URL ?? "http://localhost:3000",
    // Without a real key every Stripe call goes to the local emulator (never in production: refused above).
    STRIPE_API_BASE: e.STRIPE_API_BASE ?? (e.STRIPE_SECRET_KEY ? undefined : `http://127.0.0.1:${e.STRIPE_EMULATOR_PORT}`),
    STRIPE_SECRET_KEY: e.STRIPE_SECRET_KEY ?? "sk_test_emulator",
    allowedRedirectOrigins: e.ALLOWED_REDIRECT_ORIGINS,
    webhookPrivateAddresses: webhookPrivateAddressesOf(e),
    operatorEmails: (e.TALLY_OPERATOR_EMAILS ?? "").split(/[\s,]+/).map((x) => x.trim().toLowerCase()).filter(Boolean),
  }));
export type Env = z.infer<typeof schema>;

/**
 * Whether outgoing webhooks may reach private addresses: WEBHOOK_PRIVATE_ADDRESSES, else refuse in production and
 * allow elsewhere. Readable from the process's own variables alone, for the sender, which also runs in processes
 * that hold no app environment (a test, a script); env() checks the value's shape at start-up.
 */
export function webhookPrivateAddressesOf(e: { NODE_ENV?: string; WEBHOOK_PRIVATE_ADDRESSES?: string }): "allow" | "refuse" {
  if (e.WEBHOOK_PRIVATE_ADDRESSES === "allow" || e.WEBHOOK_PRIVATE_ADDRESSES === "refuse") return e.WEBHOOK_PRIVATE_ADDRESSES;
  return e.NODE_ENV === "production" ? "refuse" : "allow";
}

export class EnvError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid environment:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new EnvError(result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  return result.data;
}

let cached: Env | undefined;

/** The validated environment, parsed once per process. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Forgets the parsed environment, so the next env() reads process.env again (for tests that change a variable). */
export function resetEnvCache(): void {
  cached = undefined;
}

/**
 * The environment at server start-up; when it is invalid the process ends with the names of the variables
 * at fault. A server that would fail every request (or run production on development defaults) never starts.
 */
export function envAtStartup(): Env {
  try {
    return env();
  } catch (e) {
    if (!(e instanceof EnvError)) throw e;
    console.error(`[tally] refusing to start. ${e.message}`);
    process.exit(1);
  }
}
