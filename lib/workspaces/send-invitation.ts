import type { Role } from "@/lib/generated/prisma/client";
import type { Db } from "@/lib/db";
import { sendEmail } from "@/lib/email";
import { invitationEmail } from "@/lib/email/templates/invitation";
import { env } from "@/lib/env";
import { inviteMember, resendInvitation, type SentInvitation } from "./invitations";

// Invitations and their emails together: what the members page's actions call. The link carries the
// secret; it is built here and nowhere is it stored.

export const invitationUrl = (token: string) => new URL(`/invite/${token}`, env().APP_URL).toString();

async function emailFor(db: Db, sent: SentInvitation, workspaceId: string, actorId: string) {
  const [workspace, actor] = await Promise.all([
    db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { name: true } }),
    db.user.findUniqueOrThrow({ where: { id: actorId }, select: { name: true, email: true } }),
  ]);
  // sendEmail never throws: a mail server that is down leaves the invitation pending, to be resent.
  const emailed = await sendEmail(await invitationEmail({
    to: sent.invitation.email,
    workspaceName: workspace.name,
    inviter: actor.name ? `${actor.name} (${actor.email})` : actor.email,
    role: sent.invitation.role,
    url: invitationUrl(sent.token),
    expiresAt: sent.invitation.expiresAt,
  }));
  return { email: sent.invitation.email, emailed };
}

/** Emails the link of an invitation the Platform API made (invitePlatformOwner); never throws. */
export async function emailPlatformInvitation(db: Db, sent: SentInvitation, workspaceId: string) {
  const workspace = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { name: true } });
  const emailed = await sendEmail(await invitationEmail({
    to: sent.invitation.email,
    workspaceName: workspace.name,
    inviter: `The team behind ${workspace.name}`,
    role: sent.invitation.role,
    url: invitationUrl(sent.token),
    expiresAt: sent.invitation.expiresAt,
  }));
  return { email: sent.invitation.email, emailed };
}

/** Invites and emails the link. The answer is the same whether or not the address has an account. */
export async function sendInvitation(db: Db, input: { workspaceId: string; actorId: string; actorRole: Role; email: string; role: Role; now?: Date }) {
  return emailFor(db, await inviteMember(db, input), input.workspaceId, input.actorId);
}

/** A new link for a pending or expired invitation, emailed; the previous link stops working. */
export async function resendInvitationEmail(db: Db, input: { workspaceId: string; invitationId: string; actorId: string; actorRole: Role; now?: Date }) {
  return emailFor(db, await resendInvitation(db, input), input.workspaceId, input.actorId);
}
