import { z } from "zod";
import { parseTrustProxy } from "./net/client-address";

// Empty strings count as unset, so `FOO=` in a .env file never becomes the value "".
const optional = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const required = (name: string) =>
  z.preprocess((v) => (v === "" ? undefined : v), z.string({ error: `${name} is required` }).min(1));

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    APP_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url().default("http://localhost:3000")),
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
    STRIPE_SECRET_KEY: optional,
    STRIPE_WEBHOOK_SECRET: required("STRIPE_WEBHOOK_SECRET"),
    STRIPE_PUBLISHABLE_KEY: optional,
    STRIPE_API_BASE: optional.pipe(z.url().optional()),
    STRIPE_EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(12111),
    CRON_SECRET: required("CRON_SECRET").pipe(z.string().min(16, "must be at least 16 characters")),
    SMTP_URL: optional,
    EMAIL_FROM: z.string().default("Tally <billing@tally.local>"),
    // Which forwarding header, if any, names the client (see lib/net/client-address.ts).
    TRUST_PROXY: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()).transform((v, ctx) => {
      const parsed = parseTrustProxy(v);
      if (parsed === null) {
        ctx.addIssue({ code: "custom", message: 'must be unset, "vercel", or the number of proxies in front (1-10)' });
        return z.NEVER;
      }
      return parsed;
    }),
  })
  .transform((e) => ({
    ...e,
    // Without a real key every Stripe call goes to the local emulator.
    STRIPE_API_BASE: e.STRIPE_API_BASE ?? (e.STRIPE_SECRET_KEY ? undefined : `http://127.0.0.1:${e.STRIPE_EMULATOR_PORT}`),
    STRIPE_SECRET_KEY: e.STRIPE_SECRET_KEY ?? "sk_test_emulator",
  }));

export type Env = z.infer<typeof schema>;

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
