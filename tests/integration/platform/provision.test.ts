// Provisioning through the Platform API's domain: one workspace per externalId, the owner invited (never
// added), and the platform key speaking for that invitation while it is not revoked.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { limitations } from "@/lib/billing";
import { createPlatformKey, revokePlatformKey } from "@/lib/platform-keys";
import { provisionWorkspace, updateWorkspace } from "@/lib/platform/workspaces";
import { signUpAndAccept } from "@/lib/workspaces/accept-invitation";
import { ensureCatalog, uniqueEmail } from "../../helpers/factories";

const operator = { kind: "operator" as const, id: null, email: "ops@example.test" };
const client = () => ({ address: `10.7.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });
const newKey = () => db().$transaction((tx) => createPlatformKey(tx, operator, { name: `k ${crypto.randomUUID().slice(0, 6)}` }));
const actorOf = (key: { id: string }) => ({ kind: "api" as const, id: key.id });

describe("provisionWorkspace", () => {
  it("invites the owner, who joins by the link and takes the first seat; the key's revocation voids a pending invitation", async () => {
    await ensureCatalog();
    const key = await newKey();
    const ownerEmail = uniqueEmail("owner");
    const externalId = `org_${crypto.randomUUID()}`;
    const first = await provisionWorkspace(db(), actorOf(key), { externalId, name: "Provisioned", ownerEmail });
    expect(first.created).toBe(true);
    expect(first.invitation?.invitation).toMatchObject({ email: ownerEmail, role: "OWNER" });
    const again = await provisionWorkspace(db(), actorOf(key), { externalId, name: "Other name", ownerEmail: uniqueEmail("else") });
    expect(again).toEqual({ workspace: first.workspace, created: false, invitation: null });
    expect(await db().invitation.count({ where: { workspaceId: first.workspace.id } })).toBe(1);

    await signUpAndAccept(db(), { token: first.invitation!.token, name: "Owner", password: "correct-horse-battery" }, client());
    const m = await db().membership.findFirstOrThrow({ where: { workspaceId: first.workspace.id }, include: { user: true } });
    expect([m.user.email, m.role]).toEqual([ownerEmail, "OWNER"]);
    const seats = (await limitations(db(), first.workspace.id)).entitlements.find((e) => e.feature === "seats")!;
    expect([seats.used, seats.limit]).toEqual(["1", "1"]);

    // A second provisioned workspace whose key is revoked before the owner accepts: the link is refused.
    const other = await newKey();
    const second = await provisionWorkspace(db(), actorOf(other), { externalId: `org_${crypto.randomUUID()}`, name: "Later", ownerEmail: uniqueEmail("late") });
    await db().$transaction((tx) => revokePlatformKey(tx, operator, { keyId: other.id }));
    await expect(signUpAndAccept(db(), { token: second.invitation!.token, name: "Late", password: "correct-horse-battery" }, client())).rejects.toMatchObject({ code: "conflict" });
    expect(await db().membership.count({ where: { workspaceId: second.workspace.id } })).toBe(0);
  });

  it("renames and re-ids a workspace, audited; another workspace's externalId is a conflict", async () => {
    await ensureCatalog();
    const key = await newKey();
    const a = await provisionWorkspace(db(), actorOf(key), { externalId: `org_${crypto.randomUUID()}`, name: "A" });
    const b = await provisionWorkspace(db(), actorOf(key), { externalId: `org_${crypto.randomUUID()}`, name: "B" });
    const renamed = await updateWorkspace(db(), actorOf(key), { workspaceId: a.workspace.id, name: "A2", externalId: null, byPlatform: true });
    expect([renamed.name, renamed.externalId]).toEqual(["A2", null]);
    await expect(updateWorkspace(db(), actorOf(key), { workspaceId: a.workspace.id, externalId: b.workspace.externalId, byPlatform: true })).rejects.toMatchObject({ code: "conflict" });
    // Only the integrator's platform key sets it; a workspace key is the workspace's own.
    await expect(updateWorkspace(db(), actorOf(key), { workspaceId: b.workspace.id, externalId: null, byPlatform: false })).rejects.toMatchObject({ code: "forbidden" });
    expect((await db().workspace.findUniqueOrThrow({ where: { id: b.workspace.id } })).externalId).toBe(b.workspace.externalId);
    const audit = await db().auditLog.findMany({ where: { workspaceId: a.workspace.id }, orderBy: { seq: "asc" } });
    expect(audit.map((x) => x.action)).toEqual(["workspace.provisioned", "workspace.updated"]);
    expect(await db().auditLog.count({ where: { action: "platform_key.created", subjectId: key.id } })).toBe(1);
  });
});
