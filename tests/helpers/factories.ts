import { db } from "@/lib/db";
import { seedCatalog } from "@/lib/billing/plans";
import { registerUser } from "@/lib/auth/users";

let seeded: Promise<unknown> | undefined;
/** Seeds the catalog once per worker database (seeding is idempotent). */
export const ensureCatalog = () => (seeded ??= seedCatalog(db()));

export const uniqueEmail = (label = "user") => `${label}-${crypto.randomUUID().slice(0, 8)}@example.test`;

/** A new user with their own workspace (OWNER), as sign-up makes them. */
export async function newOwner(label = "owner") {
  await ensureCatalog();
  return registerUser(db(), { email: uniqueEmail(label), password: "correct-horse-battery", name: label, workspace: `${label} workspace` });
}

/** Puts an existing user in a workspace directly, as accepting an invitation ends up doing. */
export async function addMembership(workspaceId: string, userId: string, role: "OWNER" | "ADMIN" | "MEMBER") {
  return db().membership.create({ data: { workspaceId, userId, role } });
}
