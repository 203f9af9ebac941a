// Seats follow members: the owner holds one from the start, accepting an invitation claims one in the same
// transaction (refused at the limit, saying the way out), and removing a member gives theirs back.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/api-keys";
import { apiRouter } from "@/lib/api/router";
import { createClient } from "../../http/client";
import { db } from "@/lib/db";
import { limitations } from "@/lib/billing";
import { acceptInvitation, signUpAndAccept } from "@/lib/workspaces/accept-invitation";
import { inviteMember } from "@/lib/workspaces/invitations";
import { changeMember } from "@/lib/workspaces/members";
import { newOwner, uniqueEmail } from "../../helpers/factories";
import { roomForMembers } from "../../helpers/seats";

const seats = async (workspaceId: string) => {
  const e = (await limitations(db(), workspaceId)).entitlements.find((x) => x.feature === "seats")!;
  return `${e.used} of ${e.limit}`;
};
const client = () => ({ address: `10.8.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });

describe("seats", () => {
  it("the owner holds the first seat: a Free workspace reads 1 of 1 and cannot invite, saying how to make room", async () => {
    const owner = await newOwner("solo");
    expect(await seats(owner.workspace.id)).toBe("1 of 1");
    await expect(inviteMember(db(), { workspaceId: owner.workspace.id, actorId: owner.user.id, actorRole: "OWNER", email: uniqueEmail("x"), role: "MEMBER" }))
      .rejects.toMatchObject({ code: "quota_exhausted", message: expect.stringMatching(/Upgrade the plan or remove a member/) });
    expect(await db().invitation.count({ where: { workspaceId: owner.workspace.id } })).toBe(0);
  });

  it("accepting claims a seat in the same transaction; past the limit the join is refused with the way out and nothing is written; removal releases", async () => {
    const owner = await newOwner("team");
    const ws = owner.workspace.id;
    await roomForMembers(db(), ws, "starter"); // 3 seats
    const invite = (email: string) => inviteMember(db(), { workspaceId: ws, actorId: owner.user.id, actorRole: "OWNER", email, role: "MEMBER" });
    const a = await invite(uniqueEmail("a"));
    const b = await invite(uniqueEmail("b"));
    const c = await invite(uniqueEmail("c"));
    await signUpAndAccept(db(), { token: a.token, name: "A", password: "correct-horse-battery" }, client());
    expect(await seats(ws)).toBe("2 of 3");
    await signUpAndAccept(db(), { token: b.token, name: "B", password: "correct-horse-battery" }, client());
    expect(await seats(ws)).toBe("3 of 3");
    // Full: a new invitation is refused up front, and the one already sent cannot be accepted.
    await expect(invite(uniqueEmail("d"))).rejects.toMatchObject({ code: "quota_exhausted" });
    await expect(signUpAndAccept(db(), { token: c.token, name: "C", password: "correct-horse-battery" }, client()))
      .rejects.toMatchObject({ code: "quota_exhausted", message: expect.stringMatching(/Ask an owner to upgrade the plan or remove a member/) });
    expect(await db().user.count({ where: { email: c.invitation.email } })).toBe(0);
    expect(await db().invitation.findUniqueOrThrow({ where: { id: c.invitation.id } })).toMatchObject({ status: "pending" });
    expect(await db().membership.count({ where: { workspaceId: ws } })).toBe(3);

    // Removing a member gives the seat back; the pending invitation can then be accepted.
    const memberA = await db().membership.findFirstOrThrow({ where: { workspaceId: ws, user: { email: a.invitation.email } } });
    await changeMember(db(), { workspaceId: ws, actorRole: "OWNER", membershipId: memberA.id, role: null });
    expect(await seats(ws)).toBe("2 of 3");
    await signUpAndAccept(db(), { token: c.token, name: "C", password: "correct-horse-battery" }, client());
    expect(await seats(ws)).toBe("3 of 3");
  });

  it("two people accepting the last seat at once: one joins, the other is refused", async () => {
    const owner = await newOwner("race");
    const ws = owner.workspace.id;
    await roomForMembers(db(), ws, "starter");
    const users = await Promise.all([newOwner("p"), newOwner("q"), newOwner("r")]);
    const sent = await Promise.all(users.map((u) => inviteMember(db(), { workspaceId: ws, actorId: owner.user.id, actorRole: "OWNER", email: u.user.email, role: "MEMBER" })));
    await acceptInvitation(db(), { token: sent[0]!.token, userId: users[0]!.user.id });
    const results = await Promise.allSettled([1, 2].map((i) => acceptInvitation(db(), { token: sent[i]!.token, userId: users[i]!.user.id })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(["quota_exhausted"]);
    expect(await seats(ws)).toBe("3 of 3");
    expect(await db().membership.count({ where: { workspaceId: ws } })).toBe(3);
  });

  it("through the API a key releases only the seats the API claimed, never a member's, and cannot use the members' keys", async () => {
    const owner = await newOwner("api-seats");
    const ws = owner.workspace.id;
    await roomForMembers(db(), ws, "starter"); // 3 seats
    const a = await inviteMember(db(), { workspaceId: ws, actorId: owner.user.id, actorRole: "OWNER", email: uniqueEmail("a"), role: "MEMBER" });
    await signUpAndAccept(db(), { token: a.token, name: "A", password: "correct-horse-battery" }, client());
    const { secret } = await createApiKey(db(), { workspaceId: ws, name: "backend" });
    const server = http.createServer((req, res) => void apiRouter(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const api = createClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 2);
    const post = (op: string, idempotencyKey: string) => api.request(`/api/v1/gauges/seats/${op}`, { key: secret, body: { idempotencyKey } });
    try {
      // Both seats in use are members': nothing to release.
      const refused = await post("release", "r1");
      expect([refused.status, refused.json.error.code]).toEqual([409, "conflict"]);
      expect(await seats(ws)).toBe("2 of 3");
      // A seat the API claimed, it may give back; then the members' seats are all that is left.
      expect((await post("claim", "c1")).status).toBe(200);
      expect(await seats(ws)).toBe("3 of 3");
      expect((await post("release", "r2")).status).toBe(200);
      expect(await seats(ws)).toBe("2 of 3");
      expect((await post("release", "r3")).status).toBe(409);
      // The members' own keys are not the API's to use.
      const member = await db().membership.findFirstOrThrow({ where: { workspaceId: ws, user: { email: a.invitation.email } } });
      expect((await post("release", `seat-release:${member.id}`)).status).toBe(400);
      expect(await seats(ws)).toBe("2 of 3");
      // Removing the member still gives the seat back.
      await changeMember(db(), { workspaceId: ws, actorRole: "OWNER", membershipId: member.id, role: null });
      expect(await seats(ws)).toBe("1 of 3");
    } finally {
      api.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
