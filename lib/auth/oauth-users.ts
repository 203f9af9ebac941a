import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createWorkspace } from "@/lib/workspaces/create-workspace";

/** Links an OAuth identity to the user with that email, creating the user and their workspace on first sign-in. */
export async function findOrCreateOAuthUser(db: Db, input: { provider: string; providerAccountId: string; email?: string | null; name?: string | null }) {
  const linked = await db.account.findUnique({ where: { provider_providerAccountId: { provider: input.provider, providerAccountId: input.providerAccountId } }, include: { user: true } });
  if (linked) return linked.user;
  const email = input.email?.trim().toLowerCase();
  if (!email) throw new AppError("invalid_request", "The provider did not share an email address.");
  return db.$transaction(async (tx) => {
    let user = await tx.user.findUnique({ where: { email } });
    if (!user) {
      user = await tx.user.create({ data: { email, name: input.name ?? null } });
      await createWorkspace(tx, { name: `${input.name || email.split("@")[0]}'s workspace`, ownerId: user.id });
    }
    await tx.account.create({ data: { userId: user.id, type: "oauth", provider: input.provider, providerAccountId: input.providerAccountId } });
    return user;
  });
}
