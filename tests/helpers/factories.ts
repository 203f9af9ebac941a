import { db } from "@/lib/db";
import { seedCatalog } from "@/lib/billing/plans";
import { registerUser } from "@/lib/auth/users";
import { issueToken } from "@/lib/auth/tokens";
import { verifyEmail } from "@/lib/auth/verification";

let seeded: Promise<unknown> | undefined;
/** Seeds the catalog once per worker database (seeding is idempotent). */
export const ensureCatalog = () => (seeded ??= seedCatalog(db()));

export const uniqueEmail = (label = "user") => `${label}-${crypto.randomUUID().slice(0, 8)}@example.test`;

/**
 * A new user with their own workspace (OWNER), as sign-up makes them, with the address verified as the
 * emailed link does it (unless `verified: false`): billing changes and trials need a verified address.
 */
export async function newOwner(label = "owner", opts: { verified?: boolean } = {}) {
  await ensureCatalog();
  const created = await registerUser(db(), { email: uniqueEmail(label), password: "correct-horse-battery", name: label, workspace: `${label} workspace` });
  if (opts.verified === false) return created;
  await verifyEmailOf(created.user.id);
  return { ...created, user: await db().user.findUniqueOrThrow({ where: { id: created.user.id } }) };
}

/** Verifies a user's address through the same token a verification email carries. */
export async function verifyEmailOf(userId: string) {
  const { email } = await db().user.findUniqueOrThrow({ where: { id: userId } });
  const token = await issueToken(db(), { userId, email, purpose: "verify_email" });
  if (!(await verifyEmail(db(), token))) throw new Error(`could not verify ${email}`);
}

/** Puts an existing user in a workspace directly, as accepting an invitation ends up doing. */
export async function addMembership(workspaceId: string, userId: string, role: "OWNER" | "ADMIN" | "MEMBER") {
  return db().membership.create({ data: { workspaceId, userId, role } });
}
