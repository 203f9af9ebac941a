// Sign-in and sign-up are rate limited in the database, before any password hashing.
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import * as passwords from "@/lib/auth/passwords";
import { AUTH_LIMITS, takeAttempt } from "@/lib/auth/rate-limit";
import { authenticate, registerUser, signUpUser } from "@/lib/auth/users";
import { ensureCatalog, uniqueEmail } from "../../helpers/factories";

// The real scrypt, watched: every call still hashes; the test only counts them.
vi.mock("@/lib/auth/passwords", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/auth/passwords")>();
  return { ...real, hashPassword: vi.fn(real.hashPassword), verifyPassword: vi.fn(real.verifyPassword) };
});
const hashes = () => vi.mocked(passwords.hashPassword).mock.calls.length + vi.mocked(passwords.verifyPassword).mock.calls.length;

const PASSWORD = "correct-horse-battery";
const T0 = new Date("2026-12-02T10:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const refusal = (p: Promise<unknown>) =>
  p.then(() => null, (e: unknown) => {
    if (e instanceof AppError) return { code: e.code, retryAfter: e.details?.retryAfter, message: e.message };
    throw e;
  });
const uniqueAddress = () => `203.0.113.${Math.floor(Math.random() * 250)}-${crypto.randomUUID().slice(0, 6)}`;

beforeAll(() => ensureCatalog());
beforeEach(() => {
  vi.mocked(passwords.hashPassword).mockClear();
  vi.mocked(passwords.verifyPassword).mockClear();
});

describe("sign-in", () => {
  it("refuses the 11th failed attempt for an email without hashing, even with the right password, until the window ends", async () => {
    const email = uniqueEmail("victim");
    await registerUser(db(), { email, password: PASSWORD });
    for (let i = 0; i < AUTH_LIMITS["sign-in"].perEmail; i++) {
      expect(await authenticate(db(), email, `guess-${i}`, { address: null, now: at(i) })).toBeNull();
    }
    vi.mocked(passwords.verifyPassword).mockClear();
    const refused = await refusal(authenticate(db(), email, PASSWORD, { address: null, now: at(60) }));
    expect(refused).toMatchObject({ code: "rate_limited", retryAfter: 15 * 60 - 60 });
    expect(refused?.message).toBe("Too many sign-in attempts. Try again in 14 minutes.");
    expect(vi.mocked(passwords.verifyPassword)).not.toHaveBeenCalled();
    // The next window starts afresh.
    expect((await authenticate(db(), email, PASSWORD, { address: null, now: at(15 * 60) }))?.email).toBe(email);
  });

  it("counts only failures: a person who signs in often is never refused", async () => {
    const email = uniqueEmail("regular");
    await registerUser(db(), { email, password: PASSWORD });
    for (let i = 0; i < 3 * AUTH_LIMITS["sign-in"].perEmail; i++) {
      expect((await authenticate(db(), email, PASSWORD, { address: "198.51.100.7", now: at(i) }))?.email).toBe(email);
    }
  });

  it("refuses a client address that guesses across many emails, past its own limit", async () => {
    const address = uniqueAddress();
    const { perAddress, perEmail } = AUTH_LIMITS["sign-in"];
    const emails = Array.from({ length: Math.ceil(perAddress / perEmail) + 1 }, () => uniqueEmail("spray"));
    let n = 0;
    for (const email of emails) {
      for (let i = 0; i < perEmail && n < perAddress; i++, n++) await takeAttempt(db(), { action: "sign-in", email, address, now: at(n % 600) });
    }
    const before = hashes();
    expect(await refusal(authenticate(db(), emails.at(-1)!, "guess", { address, now: at(700) }))).toMatchObject({ code: "rate_limited", retryAfter: 200 });
    expect(hashes()).toBe(before);
    // Another address is not held back by it.
    expect(await authenticate(db(), emails.at(-1)!, "guess", { address: uniqueAddress(), now: at(700) })).toBeNull();
  });

  it("lets exactly the limit through when attempts race, on every instance's shared count", async () => {
    const email = uniqueEmail("race");
    const results = await Promise.all(
      Array.from({ length: 30 }, () => refusal(takeAttempt(db(), { action: "sign-in", email, address: null, now: at(5) }))),
    );
    expect(results.filter((r) => r === null)).toHaveLength(AUTH_LIMITS["sign-in"].perEmail);
    expect(results.filter((r) => r?.code === "rate_limited")).toHaveLength(30 - AUTH_LIMITS["sign-in"].perEmail);
  });

  it("keeps no email in the table, only its hash", async () => {
    const email = uniqueEmail("private");
    await takeAttempt(db(), { action: "sign-in", email, address: null, now: at(1) });
    const rows = await db().$queryRaw<{ bucket: string }[]>`SELECT bucket FROM "AuthAttempt" WHERE bucket LIKE ${"%" + email + "%"}`;
    expect(rows).toEqual([]);
  });
});

describe("sign-up", () => {
  it("refuses the 11th attempt for an email without hashing", async () => {
    const email = uniqueEmail("signup");
    for (let i = 0; i < AUTH_LIMITS["sign-up"].perEmail; i++) {
      const r = await refusal(signUpUser(db(), { email, password: PASSWORD }, { address: null, now: at(i) }));
      // The same answer whether the address is new or taken (an email tells the owner which).
      expect(r).toBeNull();
    }
    vi.mocked(passwords.hashPassword).mockClear();
    expect(await refusal(signUpUser(db(), { email, password: PASSWORD }, { address: null, now: at(30) }))).toMatchObject({ code: "rate_limited", retryAfter: 15 * 60 - 30 });
    expect(vi.mocked(passwords.hashPassword)).not.toHaveBeenCalled();
  });

  it("refuses a client address past its limit of new accounts, creating nothing", async () => {
    const address = uniqueAddress();
    for (let i = 0; i < AUTH_LIMITS["sign-up"].perAddress; i++) {
      await takeAttempt(db(), { action: "sign-up", email: uniqueEmail("bulk"), address, now: at(i) });
    }
    const email = uniqueEmail("one-too-many");
    vi.mocked(passwords.hashPassword).mockClear();
    expect(await refusal(signUpUser(db(), { email, password: PASSWORD }, { address, now: at(100) }))).toMatchObject({ code: "rate_limited", retryAfter: 800 });
    expect(vi.mocked(passwords.hashPassword)).not.toHaveBeenCalled();
    expect(await db().user.count({ where: { email } })).toBe(0);
  });
});
