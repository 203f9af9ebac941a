"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { emailSchema } from "@/lib/auth/schemas";
import { db } from "@/lib/db";
import { formAction, type FormState } from "@/lib/server/action";
import { requireWorkspaceAction } from "@/lib/server/session";
import { addMember, changeMember } from "@/lib/workspaces/members";

const role = z.enum(["OWNER", "ADMIN", "MEMBER"]);

export const inviteMemberAction = formAction(z.object({ slug: z.string(), email: emailSchema, role }), async (input) => {
  const { workspace, role: actorRole } = await requireWorkspaceAction(input.slug, "members");
  await addMember(db(), { workspaceId: workspace.id, actorRole, email: input.email, role: input.role });
  revalidatePath(`/w/${input.slug}/members`);
  return { ok: true, message: `${input.email} was added as ${input.role.toLowerCase()}.` };
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
    const { workspace, role: actorRole } = await requireWorkspaceAction(input.slug, "members");
    const removing = input.role === "REMOVE";
    const newRole = input.role === "REMOVE" ? null : input.role;
    const { email, revokedKeys } = await changeMember(db(), {
      workspaceId: workspace.id,
      actorRole,
      membershipId: input.membershipId,
      role: newRole,
      revokeKeys: input.revokeKeys === "on",
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
