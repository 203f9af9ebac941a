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

  it("reads STRIPE_AUTOMATIC_TAX: auto when unset or empty, on or off when told, anything else refused by name", () => {
    expect(parseEnv(valid).STRIPE_AUTOMATIC_TAX).toBe("auto");
    expect(parseEnv({ ...valid, STRIPE_AUTOMATIC_TAX: "" }).STRIPE_AUTOMATIC_TAX).toBe("auto");
    for (const mode of ["auto", "on", "off"]) expect(parseEnv({ ...valid, STRIPE_AUTOMATIC_TAX: mode }).STRIPE_AUTOMATIC_TAX).toBe(mode);
    for (const bad of ["true", "ON", "1", "yes"]) expect(() => parseEnv({ ...valid, STRIPE_AUTOMATIC_TAX: bad })).toThrow(/STRIPE_AUTOMATIC_TAX: must be "auto", "on" or "off"/);
  });

  it("reads WEBHOOK_PRIVATE_ADDRESSES: allowed outside production unless refused; anything else refused by name", () => {
    expect(parseEnv(valid).webhookPrivateAddresses).toBe("allow");
    expect(parseEnv({ ...valid, WEBHOOK_PRIVATE_ADDRESSES: "refuse" }).webhookPrivateAddresses).toBe("refuse");
    expect(() => parseEnv({ ...valid, WEBHOOK_PRIVATE_ADDRESSES: "yes" })).toThrow(/WEBHOOK_PRIVATE_ADDRESSES: must be "allow" or "refuse"/);
  });
});

describe("environment in production", () => {
  const production = {
    NODE_ENV: "production",
    DATABASE_URL: "postgresql://tally:pw@db.internal:5432/tally",
    AUTH_SECRET: "A".repeat(43),
    APP_URL: "https://billing.example.com",
    STRIPE_SECRET_KEY: `sk_live_${"4eC39HqLyjWDarjtT1zdp7dc".padEnd(24, "x")}`,
    STRIPE_WEBHOOK_SECRET: `whsec_${"B".repeat(32)}`,
    CRON_SECRET: "C".repeat(43),
  };
  const refusal = (source: Record<string, string | undefined>) => {
    try {
      parseEnv(source);
    } catch (e) {
      expect(e).toBeInstanceOf(EnvError);
      return (e as EnvError).issues.join("\n");
    }
    return "accepted";
  };

  it("starts on real values, with no emulator and the given APP_URL", () => {
    const e = parseEnv(production);
    expect(e.STRIPE_API_BASE).toBeUndefined();
    expect(e.APP_URL).toBe("https://billing.example.com");
    for (const key of ["rk_live_", "sk_test_", "rk_test_"]) expect(refusal({ ...production, STRIPE_SECRET_KEY: `${key}${"z".repeat(24)}` })).toBe("accepted");
  });

  // Each variable: missing (unset or empty) and malformed values, the refusal names it.
  const cases: [string, (string | undefined)[]][] = [
    ["DATABASE_URL", [undefined, "", "mysql://db/tally", "file:./dev.db"]],
    ["AUTH_SECRET", [undefined, "", "x", "s".repeat(31)]],
    ["APP_URL", [undefined, "", "http://localhost:3000", "http://billing.example.com", "billing.example.com", "ftp://billing.example.com"]],
    ["STRIPE_SECRET_KEY", [undefined, "", "sk_test_emulator", "pk_live_" + "z".repeat(24), "sk_" + "z".repeat(24), "whsec_" + "z".repeat(24), "sk_live_short"]],
    ["STRIPE_WEBHOOK_SECRET", [undefined, "", "x", "whsec_x", "sk_live_" + "z".repeat(24), "secret" + "z".repeat(30)]],
    ["CRON_SECRET", [undefined, "", "c", "c".repeat(31)]],
  ];
  for (const [name, values] of cases) {
    it(`refuses ${name} missing or malformed, naming it`, () => {
      for (const value of values) {
        const message = refusal({ ...production, [name]: value });
        expect(message, `${name}=${String(value)}`).toMatch(new RegExp(`^${name}: `, "m"));
      }
    });
  }

  it("sends outgoing webhooks to public addresses only, unless told to allow private ones", () => {
    expect(parseEnv(production).webhookPrivateAddresses).toBe("refuse");
    expect(parseEnv({ ...production, WEBHOOK_PRIVATE_ADDRESSES: "allow" }).webhookPrivateAddresses).toBe("allow");
  });

  it("never points Stripe at a local emulator", () => {
    expect(refusal({ ...production, STRIPE_API_BASE: "http://127.0.0.1:12111" })).toMatch(/^STRIPE_API_BASE: /m);
  });
});
