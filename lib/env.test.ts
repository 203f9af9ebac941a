import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

const valid = {
  DATABASE_URL: "postgresql://localhost/tally",
  AUTH_SECRET: "a".repeat(32),
  CRON_SECRET: "c".repeat(32),
  STRIPE_WEBHOOK_SECRET: "whsec_x",
};

describe("environment", () => {
  it("names each missing variable", () => {
    try {
      parseEnv({ NODE_ENV: "production" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EnvError);
      const message = (e as Error).message;
      for (const name of ["DATABASE_URL", "AUTH_SECRET", "CRON_SECRET", "STRIPE_WEBHOOK_SECRET"]) expect(message).toContain(name);
    }
  });

  it("refuses a malformed value and treats empty strings as unset", () => {
    expect(() => parseEnv({ ...valid, DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgresql:\/\/ URL/);
    expect(() => parseEnv({ ...valid, CRON_SECRET: "" })).toThrow(/CRON_SECRET/);
  });

  it("points Stripe at the local emulator only when no secret key is set", () => {
    expect(parseEnv(valid).STRIPE_API_BASE).toBe("http://127.0.0.1:12111");
    expect(parseEnv({ ...valid, STRIPE_EMULATOR_PORT: "4010" }).STRIPE_API_BASE).toBe("http://127.0.0.1:4010");
    expect(parseEnv({ ...valid, STRIPE_SECRET_KEY: "sk_live_x" }).STRIPE_API_BASE).toBeUndefined();
  });

  it("reads TRUST_PROXY: unset trusts no forwarding header; vercel or a number of proxies; anything else is refused", () => {
    expect(parseEnv(valid).TRUST_PROXY).toEqual({ kind: "none" });
    expect(parseEnv({ ...valid, TRUST_PROXY: "" }).TRUST_PROXY).toEqual({ kind: "none" });
    expect(parseEnv({ ...valid, TRUST_PROXY: "vercel" }).TRUST_PROXY).toEqual({ kind: "vercel" });
    expect(parseEnv({ ...valid, TRUST_PROXY: "2" }).TRUST_PROXY).toEqual({ kind: "hops", hops: 2 });
    expect(() => parseEnv({ ...valid, TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY: /);
  });
});
