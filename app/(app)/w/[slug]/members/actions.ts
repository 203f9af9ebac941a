"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { emailSchema } from "@/lib/auth/schemas";
import { db } from "@/lib/db";
import { formAction } from "@/lib/server/action";
import { requireWorkspaceAction } from "@/lib/server/session";
import { addMember, changeMember } from "@/lib/workspaces/members";

const role = z.enum(["OWNER", "ADMIN", "MEMBER"]);

export const inviteMemberAction = formAction(z.object({ slug: z.string(), email: emailSchema, role }), async (input) => {
  const { workspace, role: actorRole } = await requireWorkspaceAction(input.slug, "members");
  await addMember(db(), { workspaceId: workspace.id, actorRole, email: input.email, role: input.role });
  revalidatePath(`/w/${input.slug}/members`);
  return { ok: true, message: `${input.email} was added as ${input.role.toLowerCase()}.` };
});

export const changeMemberAction = formAction(
  z.object({ slug: z.string(), membershipId: z.string(), role: z.union([role, z.literal("REMOVE")]) }),
  async (input) => {
    const { workspace, role: actorRole } = await requireWorkspaceAction(input.slug, "members");
    await changeMember(db(), { workspaceId: workspace.id, actorRole, membershipId: input.membershipId, role: input.role === "REMOVE" ? null : input.role });
    revalidatePath(`/w/${input.slug}/members`);
    return { ok: true, message: input.role === "REMOVE" ? "Member removed." : "Role updated." };
  },
);
