// Password reset by an emailed link, and a change of password in account settings.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import * as passwords from "@/lib/auth/passwords";
import { AUTH_LIMITS } from "@/lib/auth/rate-limit";
import { authenticate, registerUser } from "@/lib/auth/users";
import { changePassword, peekPasswordReset, requestPasswordReset, resetPassword } from "@/lib/auth/passwords-reset";
import { isSessionCurrent, sessionVersionOf } from "@/lib/auth/sessions";
import { linkIn } from "../../helpers/mailbox";
import { withMailbox } from "../../helpers/with-mailbox";
import { ensureCatalog, uniqueEmail } from "../../helpers/factories";

vi.mock("@/lib/auth/passwords", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/auth/passwords")>();
  return { ...real, hashPassword: vi.fn(real.hashPassword) };
});

const mail = withMailbox();
const PASSWORD = "correct-horse-battery";
const NEW_PASSWORD = "staple-battery-horse-2";
const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (e instanceof AppError ? e.code : Promise.reject(e)));
const tokenOf = (link: string) => new URL(link).searchParams.get("token")!;
const client = { address: null };

async function account() {
  await ensureCatalog();
  const email = uniqueEmail("reset");
  const { user } = await registerUser(db(), { email, password: PASSWORD });
  return { email, userId: user.id };
}

async function resetLink(email: string, count = 1) {
  await requestPasswordReset(db(), email, client);
  return linkIn(await mail.waitFor({ to: email, subject: "Reset your Tally password" }, { count }), "/reset-password");
}

beforeEach(() => {
  vi.mocked(passwords.hashPassword).mockClear();
});

describe("password reset", () => {
  it("answers the same for an address without an account, and sends nothing", async () => {
    const nobody = uniqueEmail("nobody");
    expect(await requestPasswordReset(db(), nobody, client)).toBeUndefined();
    const { email } = await account();
    expect(await requestPasswordReset(db(), email, client)).toBeUndefined();
    await mail.waitFor({ to: email });
    expect(await mail.all({ to: nobody })).toEqual([]);
  });

  it("the link sets a new password once: the old one is refused, every session ends, the owner is told", async () => {
    const { email, userId } = await account();
    const claims = { uid: userId, sv: await sessionVersionOf(db(), userId) };
    const link = await resetLink(email);
    expect(await peekPasswordReset(db(), tokenOf(link))).toEqual({ userId, email });

    expect(await resetPassword(db(), { token: tokenOf(link), password: NEW_PASSWORD })).toEqual({ userId, email });
    expect(await authenticate(db(), email, PASSWORD, client)).toBeNull();
    expect((await authenticate(db(), email, NEW_PASSWORD, client))?.id).toBe(userId);
    expect(await isSessionCurrent(db(), claims)).toBe(false);
    await mail.waitFor({ to: email, subject: "Your Tally password was changed" });

    expect(await resetPassword(db(), { token: tokenOf(link), password: "third-password-3" })).toBeNull();
    expect((await authenticate(db(), email, NEW_PASSWORD, client))?.id).toBe(userId);
  });

  it("refuses an expired link, an older link once a newer one was sent, and a made-up one, without hashing", async () => {
    const { email } = await account();
    const first = await resetLink(email);
    const second = await resetLink(email, 2);
    vi.mocked(passwords.hashPassword).mockClear();
    expect(await resetPassword(db(), { token: tokenOf(first), password: NEW_PASSWORD })).toBeNull();
    expect(await resetPassword(db(), { token: tokenOf(second), password: NEW_PASSWORD, now: new Date(Date.now() + 61 * 60_000) })).toBeNull();
    expect(await resetPassword(db(), { token: "A".repeat(43), password: NEW_PASSWORD })).toBeNull();
    expect(vi.mocked(passwords.hashPassword)).not.toHaveBeenCalled();
    expect((await authenticate(db(), email, PASSWORD, client))).not.toBeNull();
  });

  it("a reset proves the address, so an unverified one becomes verified", async () => {
    const { email, userId } = await account();
    await resetPassword(db(), { token: tokenOf(await resetLink(email)), password: NEW_PASSWORD });
    expect((await db().user.findUniqueOrThrow({ where: { id: userId } })).emailVerified).toBeInstanceOf(Date);
  });

  it("requests are limited per address: past the limit, an error with the wait and no email", async () => {
    const { email } = await account();
    for (let i = 0; i < AUTH_LIMITS["password-reset"].perEmail; i++) await requestPasswordReset(db(), email, client);
    const refused = await requestPasswordReset(db(), email, client).catch((e: AppError) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("rate_limited");
    expect((refused as AppError).message).toMatch(/^Too many password reset requests\. Try again in \d+ (minutes?|seconds?)\.$/);
    await mail.waitFor({ to: email }, { count: AUTH_LIMITS["password-reset"].perEmail });
    await new Promise((r) => setTimeout(r, 300));
    expect(await mail.all({ to: email })).toHaveLength(AUTH_LIMITS["password-reset"].perEmail);
  });
});

describe("change password", () => {
  it("needs the current password; then the old one is refused and every session ends", async () => {
    const { email, userId } = await account();
    const claims = { uid: userId, sv: await sessionVersionOf(db(), userId) };
    expect(await codeOf(changePassword(db(), { userId, current: "wrong-guess-1", password: NEW_PASSWORD }, client))).toBe("invalid_request");
    expect((await authenticate(db(), email, PASSWORD, client))?.id).toBe(userId);
    expect(await isSessionCurrent(db(), claims)).toBe(true);

    await changePassword(db(), { userId, current: PASSWORD, password: NEW_PASSWORD }, client);
    expect(await authenticate(db(), email, PASSWORD, client)).toBeNull();
    expect((await authenticate(db(), email, NEW_PASSWORD, client))?.id).toBe(userId);
    expect(await isSessionCurrent(db(), claims)).toBe(false);
    await mail.waitFor({ to: email, subject: "Your Tally password was changed" });
  });

  it("wrong current passwords count as failed sign-ins: the limit stops guessing through a stolen session", async () => {
    const { userId } = await account();
    for (let i = 0; i < AUTH_LIMITS["sign-in"].perEmail; i++) expect(await codeOf(changePassword(db(), { userId, current: `guess-${i}`, password: NEW_PASSWORD }, client))).toBe("invalid_request");
    expect(await codeOf(changePassword(db(), { userId, current: PASSWORD, password: NEW_PASSWORD }, client))).toBe("rate_limited");
  });
});
