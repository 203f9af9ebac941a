import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { resolveWorkspaceAccess } from "@/lib/workspaces/access";
import { changeMember } from "@/lib/workspaces/members";
import { addMembership, newOwner } from "../../helpers/factories";

const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (e instanceof AppError ? e.code : String(e)));

describe("workspace authorization", () => {
  it("refuses a non-member as not found, by slug and by id", async () => {
    const a = await newOwner("a");
    const b = await newOwner("b");
    expect(await codeOf(resolveWorkspaceAccess(db(), { userId: a.user.id, workspace: { slug: b.workspace.slug }, need: "read" }))).toBe("not_found");
    expect(await codeOf(resolveWorkspaceAccess(db(), { userId: a.user.id, workspace: { id: b.workspace.id }, need: "billing" }))).toBe("not_found");
    const own = await resolveWorkspaceAccess(db(), { userId: a.user.id, workspace: { slug: a.workspace.slug }, need: "billing" });
    expect([own.workspace.id, own.role]).toEqual([a.workspace.id, "OWNER"]);
  });

  it("lets a MEMBER read usage but refuses billing and member changes", async () => {
    const owner = await newOwner("owner");
    const member = await newOwner("member");
    await addMembership(owner.workspace.id, member.user.id, "MEMBER");
    const ws = { slug: owner.workspace.slug };
    expect((await resolveWorkspaceAccess(db(), { userId: member.user.id, workspace: ws, need: "read" })).role).toBe("MEMBER");
    expect(await codeOf(resolveWorkspaceAccess(db(), { userId: member.user.id, workspace: ws, need: "billing" }))).toBe("forbidden");
    expect(await codeOf(resolveWorkspaceAccess(db(), { userId: member.user.id, workspace: ws, need: "members" }))).toBe("forbidden");
  });

  it("lets an ADMIN change billing but not make owners", async () => {
    const owner = await newOwner("owner");
    const admin = await newOwner("admin");
    const m = await addMembership(owner.workspace.id, admin.user.id, "ADMIN");
    expect((await resolveWorkspaceAccess(db(), { userId: admin.user.id, workspace: { id: owner.workspace.id }, need: "billing" })).role).toBe("ADMIN");
    expect(await codeOf(changeMember(db(), { workspaceId: owner.workspace.id, actorRole: "ADMIN", membershipId: m.id, role: "OWNER" }))).toBe("forbidden");
  });
});

describe("the last owner", () => {
  it("cannot be demoted or removed", async () => {
    const { workspace } = await newOwner("solo");
    const [owner] = await db().membership.findMany({ where: { workspaceId: workspace.id } });
    expect(await codeOf(changeMember(db(), { workspaceId: workspace.id, actorRole: "OWNER", membershipId: owner!.id, role: "ADMIN" }))).toBe("conflict");
    expect(await codeOf(changeMember(db(), { workspaceId: workspace.id, actorRole: "OWNER", membershipId: owner!.id, role: null }))).toBe("conflict");
    expect((await db().membership.findUniqueOrThrow({ where: { id: owner!.id } })).role).toBe("OWNER");
  });

  it("survives two owners demoting each other at the same time", async () => {
    const first = await newOwner("first");
    const second = await newOwner("second");
    await addMembership(first.workspace.id, second.user.id, "OWNER");
    const owners = await db().membership.findMany({ where: { workspaceId: first.workspace.id } });
    const results = await Promise.all(owners.map((m) => codeOf(changeMember(db(), { workspaceId: first.workspace.id, actorRole: "OWNER", membershipId: m.id, role: "MEMBER" }))));
    expect(results.sort()).toEqual(["conflict", "ok"]);
    expect(await db().membership.count({ where: { workspaceId: first.workspace.id, role: "OWNER" } })).toBe(1);
  });
});
