import type { InvitationStatus, Role } from "@/lib/generated/prisma/client";
import type { Db, Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { hashPassword } from "@/lib/auth/passwords";
import { takeAttempt } from "@/lib/auth/rate-limit";
import type { Client } from "@/lib/auth/users";
import { can } from "./access";
import { effectiveStatus, hashInvitationToken, looksLikeInvitationToken } from "./invitations";
import { joinWorkspace } from "./join";
import { formatDate } from "@/lib/format";

// Following an invitation link: what the page shows, and accepting it as the invited address, either
// signed in already or by creating the account on the spot. Each refusal says why in words.

export type InvitationState = InvitationStatus | "unknown";

export interface InvitationView {
  state: InvitationState;
  email?: string;
  role?: Role;
  workspaceName?: string;
  inviter?: string;
  expiresAt?: Date;
  /** Whether an account already uses the invited address: the link's holder is that address's owner, so this tells nobody else anything. */
  hasAccount?: boolean;
}


/** Why a link cannot be used, in the words the page and the forms show. */
export function refusal(view: Pick<InvitationView, "state" | "expiresAt" | "inviter">): string {
  switch (view.state) {
    case "accepted":
      return "This invitation has already been used. If it was you, the workspace is in your list of workspaces once you sign in.";
    case "revoked":
      return "This invitation was revoked by the workspace. Ask the person who invited you for a new one.";
    case "expired":
      return `This invitation expired${view.expiresAt ? ` on ${formatDate(view.expiresAt)}` : ""}. Ask ${view.inviter ?? "the person who invited you"} to send a new one.`;
    default:
      return "This invitation link is not valid. If you were sent a newer invitation, use the link in that email.";
  }
}

const INVITER_GONE = "This invitation is no longer valid: the person who sent it can no longer invite members. Ask an owner of the workspace for a new one.";

async function findByToken(db: Tx, token: string) {
  if (!looksLikeInvitationToken(token)) return null;
  return db.invitation.findUnique({
    where: { tokenHash: hashInvitationToken(token) },
    include: { workspace: { select: { name: true, slug: true } }, invitedBy: { select: { name: true, email: true } } },
  });
}

export async function viewInvitation(db: Tx, token: string, now = new Date()): Promise<InvitationView> {
  const inv = await findByToken(db, token);
  if (!inv) return { state: "unknown" };
  const state = effectiveStatus(inv, now);
  const inviter = inv.invitedBy ? (inv.invitedBy.name ?? inv.invitedBy.email) : undefined;
  const view: InvitationView = { state, email: inv.email, role: inv.role, workspaceName: inv.workspace.name, inviter, expiresAt: inv.expiresAt };
  if (state === "pending") view.hasAccount = (await db.user.count({ where: { email: inv.email } })) > 0;
  return view;
}

/** Locks the invitation behind `token` and checks it can still be accepted; throws the refusal otherwise. */
async function lockUsable(tx: Tx, token: string, now: Date) {
  if (!looksLikeInvitationToken(token)) throw new AppError("not_found", refusal({ state: "unknown" }));
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Invitation" WHERE "tokenHash" = ${hashInvitationToken(token)} FOR UPDATE`;
  if (!rows.length) throw new AppError("not_found", refusal({ state: "unknown" }));
  const inv = await tx.invitation.findUniqueOrThrow({ where: { id: rows[0]!.id }, include: { workspace: { select: { slug: true } }, invitedBy: { select: { name: true, email: true } } } });
  const state = effectiveStatus(inv, now);
  if (state !== "pending") throw new AppError("conflict", refusal({ state, expiresAt: inv.expiresAt, inviter: inv.invitedBy?.name ?? inv.invitedBy?.email }));
  // Sent through the Platform API: the key speaks for it while it is not revoked.
  if (inv.platformKeyId && !inv.invitedById) {
    const key = await tx.platformKey.findUnique({ where: { id: inv.platformKeyId }, select: { revokedAt: true } });
    if (!key || key.revokedAt) throw new AppError("conflict", INVITER_GONE);
    return inv;
  }
  // The invitation speaks for whoever sent it: if they can no longer grant that role, neither can it.
  const inviter = inv.invitedById
    ? await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: inv.workspaceId, userId: inv.invitedById } } })
    : null;
  if (!inviter || !can(inviter.role, "members") || (inv.role === "OWNER" && inviter.role !== "OWNER")) throw new AppError("conflict", INVITER_GONE);
  return inv;
}

async function complete(tx: Tx, inv: { id: string; workspaceId: string; role: Role }, userId: string, now: Date) {
  // Opening the emailed link proves the invited address receives mail: it counts as verified.
  await tx.user.updateMany({ where: { id: userId, emailVerified: null }, data: { emailVerified: now } });
  const membership = await joinWorkspace(tx, { workspaceId: inv.workspaceId, userId, role: inv.role });
  await tx.invitation.update({ where: { id: inv.id }, data: { status: "accepted", acceptedAt: now, acceptedById: userId } });
  return membership;
}

/**
 * Accepts as the signed-in user, who must be the invited address: the membership and the spent
 * invitation are written in one transaction, with the invitation locked, so a link works once.
 */
export async function acceptInvitation(db: Db, input: { token: string; userId: string; now?: Date }) {
  const now = input.now ?? new Date();
  return db.$transaction(async (tx) => {
    const inv = await lockUsable(tx, input.token, now);
    const user = await tx.user.findUniqueOrThrow({ where: { id: input.userId }, select: { email: true } });
    if (user.email.toLowerCase() !== inv.email) {
      throw new AppError("forbidden", `This invitation is for ${inv.email}, and you are signed in as ${user.email}. Sign out, then sign in or create an account as ${inv.email}.`);
    }
    const membership = await complete(tx, inv, input.userId, now);
    return { workspaceSlug: inv.workspace.slug, role: membership.role };
  });
}

/**
 * Creates the invited person's account (for the invited address, which the link proves they receive) and
 * accepts, in one transaction. Rate limited like sign-up, before the password is hashed. An address that
 * already has an account is told to sign in instead.
 */
export async function signUpAndAccept(db: Db, input: { token: string; name: string; password: string }, client: Client) {
  const now = client.now ?? new Date();
  const found = await findByToken(db, input.token);
  if (!found) throw new AppError("not_found", refusal({ state: "unknown" }));
  await takeAttempt(db, { action: "sign-up", email: found.email, address: client.address, now });
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    const inv = await lockUsable(tx, input.token, now);
    if (await tx.user.count({ where: { email: inv.email } })) {
      throw new AppError("conflict", `An account already uses ${inv.email}. Sign in with it to accept the invitation.`);
    }
    const user = await tx.user.create({ data: { email: inv.email, name: input.name.trim() || null, passwordHash } });
    await complete(tx, inv, user.id, now);
    return { email: inv.email, workspaceSlug: inv.workspace.slug };
  }).catch((e: unknown) => {
    // The same address signed up another way at the same moment.
    if ((e as { code?: string }).code === "P2002") throw new AppError("conflict", `An account already uses ${found.email}. Sign in with it to accept the invitation.`);
    throw e;
  });
}
