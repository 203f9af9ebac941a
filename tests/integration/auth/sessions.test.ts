// A session token's claims stand only while the user's session version is the one it was issued with.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { endSessions, isSessionCurrent, sessionVersionOf } from "@/lib/auth/sessions";
import { newOwner } from "../../helpers/factories";

describe("session versions", () => {
  it("a token issued before the user ended their sessions is refused; one issued after stands", async () => {
    const { user } = await newOwner("sessions");
    const before = { uid: user.id, sv: await sessionVersionOf(db(), user.id) };
    expect(await isSessionCurrent(db(), before)).toBe(true);
    await endSessions(db(), user.id);
    expect(await isSessionCurrent(db(), before)).toBe(false);
    const after = { uid: user.id, sv: await sessionVersionOf(db(), user.id) };
    expect(after.sv).toBe(before.sv! + 1);
    expect(await isSessionCurrent(db(), after)).toBe(true);
  });

  it("refuses a token without a version, for a user that no longer exists, or with claims of the wrong type", async () => {
    const { user } = await newOwner("sessions");
    expect(await isSessionCurrent(db(), { uid: user.id })).toBe(false);
    expect(await isSessionCurrent(db(), { uid: user.id, sv: "0" })).toBe(false);
    expect(await isSessionCurrent(db(), { uid: "no-such-user", sv: 0 })).toBe(false);
    expect(await isSessionCurrent(db(), { sv: 0 })).toBe(false);
    expect(await sessionVersionOf(db(), "no-such-user")).toBeNull();
  });

  it("ending one user's sessions leaves other users' sessions alone", async () => {
    const a = await newOwner("a");
    const b = await newOwner("b");
    const tokenB = { uid: b.user.id, sv: await sessionVersionOf(db(), b.user.id) };
    await endSessions(db(), a.user.id);
    expect(await isSessionCurrent(db(), tokenB)).toBe(true);
  });
});
