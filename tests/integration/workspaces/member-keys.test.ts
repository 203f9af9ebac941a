// An API key outlives its creator's access unless someone acts: removing or demoting a member offers to
// revoke the keys they created (done in the same transaction), and keys left active are flagged.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { authenticateApiKey, createApiKey, listApiKeys } from "@/lib/api-keys";
import { changeMember, listMembers } from "@/lib/workspaces/members";
import { codeOf } from "../../helpers/app-errors";
import { addMembership, newOwner } from "../../helpers/factories";

const client = () => `it-${crypto.randomUUID()}`;
const works = (secret: string) => codeOf(authenticateApiKey(db(), { secret, clientKey: client() }));

async function workspaceWithAdminKeys() {
  const owner = await newOwner("owner");
  const admin = await newOwner("admin");
  const membership = await addMembership(owner.workspace.id, admin.user.id, "ADMIN");
  const ws = owner.workspace.id;
  const adminKeys = [
    await createApiKey(db(), { workspaceId: ws, name: "Admin CI", createdById: admin.user.id }),
    await createApiKey(db(), { workspaceId: ws, name: "Admin prod", createdById: admin.user.id }),
  ];
  const ownerKey = await createApiKey(db(), { workspaceId: ws, name: "Owner key", createdById: owner.user.id });
  // The same admin's key in their own workspace is theirs to keep.
  const elsewhere = await createApiKey(db(), { workspaceId: admin.workspace.id, name: "Own workspace", createdById: admin.user.id });
  return { owner, admin, membership, ws, adminKeys, ownerKey, elsewhere };
}

describe("removing a member", () => {
  it("revokes the keys they created, in the same change, when asked", async () => {
    const t = await workspaceWithAdminKeys();
    for (const k of t.adminKeys) expect(await works(k.secret)).toBe("ok");
    const result = await changeMember(db(), { workspaceId: t.ws, actorRole: "OWNER", membershipId: t.membership.id, role: null, revokeKeys: true });
    expect(result).toMatchObject({ removed: true, revokedKeys: 2, email: t.admin.user.email });
    for (const k of t.adminKeys) expect(await works(k.secret)).toBe("unauthorized");
    expect(await works(t.ownerKey.secret)).toBe("ok");
    expect(await works(t.elsewhere.secret)).toBe("ok");
    expect(await db().membership.findUnique({ where: { id: t.membership.id } })).toBeNull();
  });

  it("leaves the keys working when not asked, and the key list then flags them", async () => {
    const t = await workspaceWithAdminKeys();
    await changeMember(db(), { workspaceId: t.ws, actorRole: "OWNER", membershipId: t.membership.id, role: null });
    expect(await works(t.adminKeys[0]!.secret)).toBe("ok");
    const byName = Object.fromEntries((await listApiKeys(db(), t.ws)).map((k) => [k.name, k]));
    expect(byName["Admin CI"]).toMatchObject({ creatorLostAccess: true, createdBy: { id: t.admin.user.id, email: t.admin.user.email, role: null } });
    expect(byName["Owner key"]).toMatchObject({ creatorLostAccess: false, createdBy: { email: t.owner.user.email, role: "OWNER" } });
  });

  it("revokes nothing when the removal itself is refused", async () => {
    const { user, workspace } = await newOwner("solo");
    const key = await createApiKey(db(), { workspaceId: workspace.id, name: "k", createdById: user.id });
    const [own] = await db().membership.findMany({ where: { workspaceId: workspace.id } });
    expect(await codeOf(changeMember(db(), { workspaceId: workspace.id, actorRole: "OWNER", membershipId: own!.id, role: null, revokeKeys: true }))).toBe("conflict");
    expect(await works(key.secret)).toBe("ok");
  });
});

describe("demoting a member below admin", () => {
  // Decided: the keys keep working (an integration must not break on a role change by surprise), the
  // demotion offers to revoke them in the same confirmation, and keys left active are flagged in the list.
  it("flags the keys they created as made by someone who can no longer manage keys", async () => {
    const t = await workspaceWithAdminKeys();
    const result = await changeMember(db(), { workspaceId: t.ws, actorRole: "OWNER", membershipId: t.membership.id, role: "MEMBER" });
    expect(result.revokedKeys).toBe(0);
    expect(await works(t.adminKeys[0]!.secret)).toBe("ok");
    const keys = await listApiKeys(db(), t.ws);
    expect(keys.filter((k) => k.creatorLostAccess).map((k) => k.name).sort()).toEqual(["Admin CI", "Admin prod"]);
    expect(keys.find((k) => k.name === "Admin CI")!.createdBy!.role).toBe("MEMBER");
  });

  it("revokes them with the demotion when asked; a revoked key is no longer flagged", async () => {
    const t = await workspaceWithAdminKeys();
    const result = await changeMember(db(), { workspaceId: t.ws, actorRole: "OWNER", membershipId: t.membership.id, role: "MEMBER", revokeKeys: true });
    expect(result).toMatchObject({ removed: false, revokedKeys: 2 });
    for (const k of t.adminKeys) expect(await works(k.secret)).toBe("unauthorized");
    expect((await listApiKeys(db(), t.ws)).filter((k) => k.creatorLostAccess)).toEqual([]);
    expect((await db().membership.findUniqueOrThrow({ where: { id: t.membership.id } })).role).toBe("MEMBER");
  });

  it("an admin promoted back is no longer flagged", async () => {
    const t = await workspaceWithAdminKeys();
    await changeMember(db(), { workspaceId: t.ws, actorRole: "OWNER", membershipId: t.membership.id, role: "MEMBER" });
    await changeMember(db(), { workspaceId: t.ws, actorRole: "OWNER", membershipId: t.membership.id, role: "ADMIN" });
    expect((await listApiKeys(db(), t.ws)).filter((k) => k.creatorLostAccess)).toEqual([]);
  });
});

describe("the lists", () => {
  it("name each key's creator, and each member's active keys", async () => {
    const t = await workspaceWithAdminKeys();
    const keys = await listApiKeys(db(), t.ws);
    expect(keys.map((k) => [k.name, k.createdBy?.email])).toEqual([
      ["Owner key", t.owner.user.email],
      ["Admin prod", t.admin.user.email],
      ["Admin CI", t.admin.user.email],
    ]);
    const members = await listMembers(db(), t.ws);
    expect(members.map((m) => [m.user.email, m.activeKeys])).toEqual([
      [t.owner.user.email, ["Owner key"]],
      [t.admin.user.email, ["Admin CI", "Admin prod"]],
    ]);
  });

  it("a key with no recorded creator is listed without one and never flagged", async () => {
    const { workspace } = await newOwner();
    await createApiKey(db(), { workspaceId: workspace.id, name: "script" });
    expect(await listApiKeys(db(), workspace.id)).toMatchObject([{ name: "script", createdBy: null, creatorLostAccess: false }]);
  });
});
