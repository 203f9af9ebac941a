// Two tenants for the isolation and framework-edge tests: A, whose session and key the tests hold, and B,
// with data of every kind, whose rows are compared before and after.
import { inject } from "vitest";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { topupExtras } from "@/lib/billing";
import { registerUser } from "@/lib/auth/users";
import { createClient } from "../http/client";
import { PASSWORD, seedWorkspace, uid } from "./helpers";

export async function seedTenants(db: PrismaClient) {
  const a = await seedWorkspace(db, { label: "tenant-a", compute: { limit: "1000", overflow: "extras" } });
  const b = await seedWorkspace(db, { label: "tenant-b", compute: { limit: "1000", overflow: "extras" } });
  // B has usage, an extras lot with a ledger entry, and a second member.
  const api = createClient(inject("chaosA"), 4);
  for (let i = 0; i < 3; i++) await api.request("/api/v1/usage", { key: b.key, body: { feature: "compute", units: 5, idempotencyKey: `b-usage-${i}` } });
  api.close();
  const lot = await topupExtras(db, { workspaceId: b.workspaceId, pack: "compute_500", paymentIntentId: `pi_tenant_${uid()}` });
  const member = await registerUser(db, { email: `tenant-b-member-${uid()}@example.test`, password: PASSWORD, workspace: `member ${uid()}`, emailVerified: new Date() });
  const membership = await db.membership.create({ data: { workspaceId: b.workspaceId, userId: member.user.id, role: "MEMBER" } });
  const ownerMembership = await db.membership.findFirstOrThrow({ where: { workspaceId: b.workspaceId, role: "OWNER" } });
  const invitation = await db.invitation.create({
    data: { workspaceId: b.workspaceId, email: `tenant-b-invitee-${uid()}@example.test`, role: "MEMBER", tokenHash: `tenant-${uid()}`, expiresAt: new Date(Date.now() + 7 * 86400_000) },
  });
  const workspaceB = await db.workspace.findUniqueOrThrow({ where: { id: b.workspaceId } });
  const keyB = await db.apiKey.findUniqueOrThrow({ where: { id: b.keyId } });
  return {
    a,
    b: { ...b, lotId: lot.lotId, membershipId: membership.id, ownerMembershipId: ownerMembership.id, invitationId: invitation.id, name: workspaceB.name, keyPrefix: keyB.prefix },
  };
}

/** Every row that belongs to a workspace (any table with a workspaceId column, its memberships' users, the workspace), as text. */
export async function rowsOf(db: PrismaClient, workspaceId: string): Promise<Record<string, string[]>> {
  const tables = await db.$queryRaw<{ name: string }[]>`
    SELECT DISTINCT table_name::text AS name FROM information_schema.columns
    WHERE table_schema = 'public' AND column_name = 'workspaceId' ORDER BY 1`;
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const rows = await db.$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "${name}" t WHERE "workspaceId" = $1 ORDER BY 1`, workspaceId);
    out[name] = rows.map((r) => r.row);
  }
  out.Workspace = (await db.$queryRaw<{ row: string }[]>`SELECT t::text AS row FROM "Workspace" t WHERE id = ${workspaceId}`).map((r) => r.row);
  out.User = (await db.$queryRaw<{ row: string }[]>`
    SELECT u::text AS row FROM "User" u JOIN "Membership" m ON m."userId" = u.id WHERE m."workspaceId" = ${workspaceId} ORDER BY 1`).map((r) => r.row);
  return out;
}
