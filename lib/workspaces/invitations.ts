import { createHash, randomBytes } from "node:crypto";
import type { InvitationStatus, Role } from "@/lib/generated/prisma/client";
import type { Db, Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { can } from "./access";
import { assertSeatAvailable } from "./seats";

// Members join by invitation only: an emailed link to a single-use secret, of which the database keeps a
// SHA-256. Inviting never looks at whether the address has an account, so the answer cannot tell.

/** How long a link stays good; a resend starts the time again. */
export const INVITATION_DAYS = 7;
/** Bounds what one manager account can send out before some are accepted or revoked. */
export const MAX_PENDING_INVITATIONS = 100;

export const newInvitationToken = () => randomBytes(32).toString("base64url");
export const hashInvitationToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");
/** Shape check before any lookup, so a mangled link never reaches the database. */
export const looksLikeInvitationToken = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);

const expiry = (now: Date) => new Date(now.getTime() + INVITATION_DAYS * 24 * 3600_000);

/** A pending invitation past its expiry is expired, whether or not anyone has stored that yet. */
export function effectiveStatus(inv: { status: InvitationStatus; expiresAt: Date }, now = new Date()): InvitationStatus {
  return inv.status === "pending" && inv.expiresAt <= now ? "expired" : inv.status;
}

function mayGrant(actorRole: Role, role: Role) {
  if (!can(actorRole, "members")) throw new AppError("forbidden", "Only owners and admins can manage members.");
  if (role === "OWNER" && actorRole !== "OWNER") throw new AppError("forbidden", "Only an owner can invite another owner.", { field: "role" });
}

export interface SentInvitation {
  invitation: { id: string; email: string; role: Role; expiresAt: Date };
  /** The link's secret: exists only here, to be emailed. */
  token: string;
}

/**
 * Invites `email` to the workspace as `role`, or sends a fresh link for the pending invitation it already
 * has (with the role asked for now). Refuses someone who is already a member of this workspace: the
 * members list shows that to the inviter anyway, and it says nothing about other workspaces or accounts.
 */
export async function inviteMember(db: Db, input: { workspaceId: string; actorId: string; actorRole: Role; email: string; role: Role; now?: Date }): Promise<SentInvitation> {
  mayGrant(input.actorRole, input.role);
  const now = input.now ?? new Date();
  const email = input.email.trim().toLowerCase();
  const token = newInvitationToken();
  return db.$transaction(async (tx) => {
    // Serialises invitations to one workspace, so the pending cap and the one-pending-per-address rule hold under races.
    await tx.$queryRaw`SELECT id FROM "Workspace" WHERE id = ${input.workspaceId} FOR UPDATE`;
    const member = await tx.membership.findFirst({ where: { workspaceId: input.workspaceId, user: { email } }, select: { id: true } });
    if (member) throw new AppError("conflict", `${email} is already a member of this workspace.`, { field: "email" });
    // Said now rather than when the link is followed: the inviter is the one who can make room.
    await assertSeatAvailable(tx, input.workspaceId);
    await expireLapsed(tx, input.workspaceId, now);
    const fields = { role: input.role, invitedById: input.actorId, tokenHash: hashInvitationToken(token), expiresAt: expiry(now), sentAt: now };
    const pending = await tx.invitation.findFirst({ where: { workspaceId: input.workspaceId, email, status: "pending" } });
    if (pending) {
      const invitation = await tx.invitation.update({ where: { id: pending.id }, data: fields });
      return { invitation, token };
    }
    const open = await tx.invitation.count({ where: { workspaceId: input.workspaceId, status: "pending" } });
    if (open >= MAX_PENDING_INVITATIONS) {
      throw new AppError("conflict", `A workspace can have at most ${MAX_PENDING_INVITATIONS} pending invitations; revoke some first.`, { field: "email" });
    }
    const invitation = await tx.invitation.create({ data: { workspaceId: input.workspaceId, email, ...fields } });
    return { invitation, token };
  });
}

/**
 * Invites the owner of a workspace the Platform API provisioned (in the caller's transaction): the platform
 * key speaks for the invitation, as a member's role does for theirs. A pending one to the address gets a
 * fresh link. The person still joins only by accepting.
 */
export async function invitePlatformOwner(tx: Tx, input: { workspaceId: string; email: string; platformKeyId: string; now?: Date }): Promise<SentInvitation> {
  const now = input.now ?? new Date();
  const email = input.email.trim().toLowerCase();
  const token = newInvitationToken();
  await expireLapsed(tx, input.workspaceId, now);
  const fields = { role: "OWNER" as const, invitedById: null, platformKeyId: input.platformKeyId, tokenHash: hashInvitationToken(token), expiresAt: expiry(now), sentAt: now };
  const pending = await tx.invitation.findFirst({ where: { workspaceId: input.workspaceId, email, status: "pending" } });
  const invitation = pending
    ? await tx.invitation.update({ where: { id: pending.id }, data: fields })
    : await tx.invitation.create({ data: { workspaceId: input.workspaceId, email, ...fields } });
  return { invitation, token };
}

/** Sends a new link for a pending or expired invitation; the previous link stops working. */
export async function resendInvitation(db: Db, input: { workspaceId: string; invitationId: string; actorId: string; actorRole: Role; now?: Date }): Promise<SentInvitation> {
  const now = input.now ?? new Date();
  const token = newInvitationToken();
  return db.$transaction(async (tx) => {
    const inv = await lockInvitation(tx, input.workspaceId, input.invitationId, now);
    mayGrant(input.actorRole, inv.role);
    if (inv.status === "accepted" || inv.status === "revoked") throw new AppError("conflict", `This invitation was ${inv.status}; invite ${inv.email} again instead.`);
    if (inv.status === "expired") {
      // A newer pending invitation to the same address (sent after this one expired) would make two.
      const newer = await tx.invitation.findFirst({ where: { workspaceId: input.workspaceId, email: inv.email, status: "pending", id: { not: inv.id } } });
      if (newer) throw new AppError("conflict", `${inv.email} already has a newer invitation; resend that one.`);
    }
    const invitation = await tx.invitation.update({
      where: { id: inv.id },
      data: { status: "pending", tokenHash: hashInvitationToken(token), expiresAt: expiry(now), sentAt: now, invitedById: input.actorId },
    });
    return { invitation, token };
  });
}

/** Revokes a pending (or expired) invitation: its link is refused from now on. */
export async function revokeInvitation(db: Db, input: { workspaceId: string; invitationId: string; actorRole: Role; now?: Date }) {
  if (!can(input.actorRole, "members")) throw new AppError("forbidden", "Only owners and admins can manage members.");
  const now = input.now ?? new Date();
  return db.$transaction(async (tx) => {
    const inv = await lockInvitation(tx, input.workspaceId, input.invitationId, now);
    if (inv.status === "accepted") throw new AppError("conflict", `${inv.email} has already accepted; remove them from the members list instead.`);
    if (inv.status === "revoked") return inv;
    return tx.invitation.update({ where: { id: inv.id }, data: { status: "revoked", revokedAt: now } });
  });
}

/** The invitations the members page shows: pending and expired ones, newest first, with who sent them. */
export async function listInvitations(db: Tx, workspaceId: string, now = new Date()) {
  const rows = await db.invitation.findMany({
    where: { workspaceId, status: { in: ["pending", "expired"] } },
    include: { invitedBy: { select: { email: true, name: true } } },
    orderBy: { sentAt: "desc" },
  });
  return rows.map((r) => ({ id: r.id, email: r.email, role: r.role, sentAt: r.sentAt, expiresAt: r.expiresAt, status: effectiveStatus(r, now), invitedBy: r.invitedBy }));
}

/** Stores `expired` on the workspace's lapsed invitations, so the one-pending-per-address index only counts live ones. */
async function expireLapsed(tx: Tx, workspaceId: string, now: Date) {
  await tx.invitation.updateMany({ where: { workspaceId, status: "pending", expiresAt: { lte: now } }, data: { status: "expired" } });
}

async function lockInvitation(tx: Tx, workspaceId: string, invitationId: string, now: Date) {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Invitation" WHERE id = ${invitationId} AND "workspaceId" = ${workspaceId} FOR UPDATE`;
  if (!rows.length) throw new AppError("not_found", "Invitation not found.");
  const inv = await tx.invitation.findUniqueOrThrow({ where: { id: invitationId } });
  return { ...inv, status: effectiveStatus(inv, now) };
}
