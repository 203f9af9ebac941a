"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { emailSchema } from "@/lib/auth/schemas";
import { db } from "@/lib/db";
import { formAction, type FormState } from "@/lib/server/action";
import { memberActor, requireWorkspaceAction } from "@/lib/server/session";
import { revokeInvitation } from "@/lib/workspaces/invitations";
import { changeMember } from "@/lib/workspaces/members";
import { resendInvitationEmail, sendInvitation } from "@/lib/workspaces/send-invitation";

const role = z.enum(["OWNER", "ADMIN", "MEMBER"]);

/** What the inviter is told: the same whether or not the address has a Tally account. */
const sentMessage = ({ email, emailed }: { email: string; emailed: boolean }) =>
  emailed ? `Invitation sent to ${email}.` : `The invitation to ${email} is saved, but its email could not be sent. Use Resend in a moment.`;

export const inviteMemberAction = formAction(z.object({ slug: z.string(), email: emailSchema, role }), async (input) => {
  const { workspace, role: actorRole, userId } = await requireWorkspaceAction(input.slug, "members");
  const sent = await sendInvitation(db(), { workspaceId: workspace.id, actorId: userId, actorRole, email: input.email, role: input.role });
  revalidatePath(`/w/${input.slug}/members`);
  return { ok: true, message: sentMessage(sent) };
});

export const resendInvitationAction = formAction(z.object({ slug: z.string(), invitationId: z.string().min(1) }), async (input) => {
  const { workspace, role: actorRole, userId } = await requireWorkspaceAction(input.slug, "members");
  const sent = await resendInvitationEmail(db(), { workspaceId: workspace.id, invitationId: input.invitationId, actorId: userId, actorRole });
  revalidatePath(`/w/${input.slug}/members`);
  return { ok: true, message: sentMessage(sent) };
});

export const revokeInvitationAction = formAction(z.object({ slug: z.string(), invitationId: z.string().min(1) }), async (input) => {
  const { workspace, role: actorRole } = await requireWorkspaceAction(input.slug, "members");
  const inv = await revokeInvitation(db(), { workspaceId: workspace.id, invitationId: input.invitationId, actorRole });
  revalidatePath(`/w/${input.slug}/members`);
  return { ok: true, message: `The invitation to ${inv.email} was revoked; its link no longer works.` };
});

/** The members list's state: which row the answer belongs to, so a refusal shows next to that member. */
export type ChangeMemberState = (NonNullable<FormState> & { membershipId?: string }) | null;

const change = formAction(
  z.object({
    slug: z.string(),
    membershipId: z.string(),
    role: z.union([role, z.literal("REMOVE")]),
    // A checkbox: present ("on") only when ticked.
    revokeKeys: z.literal("on").optional(),
  }),
  async (input) => {
    const { workspace, role: actorRole, userId } = await requireWorkspaceAction(input.slug, "members");
    const removing = input.role === "REMOVE";
    const newRole = input.role === "REMOVE" ? null : input.role;
    const { email, revokedKeys } = await changeMember(db(), {
      workspaceId: workspace.id,
      actorRole,
      membershipId: input.membershipId,
      role: newRole,
      revokeKeys: input.revokeKeys === "on",
      actor: await memberActor(userId),
    });
    revalidatePath(`/w/${input.slug}/members`);
    revalidatePath(`/w/${input.slug}/api-keys`);
    const done = removing ? `${email} was removed from the workspace.` : `${email} is now ${newRole === "MEMBER" ? "a member" : newRole === "ADMIN" ? "an admin" : "an owner"}.`;
    const keys = revokedKeys ? ` ${revokedKeys} API ${revokedKeys === 1 ? "key" : "keys"} they created ${revokedKeys === 1 ? "was" : "were"} revoked.` : "";
    return { ok: true, message: done + keys };
  },
);

export async function changeMemberAction(prev: ChangeMemberState, form: FormData): Promise<ChangeMemberState> {
  const state = await change(prev, form);
  return state && { ...state, membershipId: String(form.get("membershipId") ?? "") };
}
