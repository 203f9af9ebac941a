"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { createApiKey, MAX_KEY_NAME, revokeApiKey } from "@/lib/api-keys";
import { db } from "@/lib/db";
import { formAction, type FormState } from "@/lib/server/action";
import { memberActor, requireWorkspaceAction } from "@/lib/server/session";
import { recordAudit } from "@/lib/admin/audit";

/** The create form's state: the new secret travels back once, in this answer, and is kept nowhere else. */
export type CreateKeyState = (NonNullable<FormState> & { secret?: string; name?: string }) | null;

const create = formAction(
  z.object({ slug: z.string().min(1), name: z.string().trim().min(1, "Give the key a name.").max(MAX_KEY_NAME, `At most ${MAX_KEY_NAME} characters.`) }),
  async (input) => {
    const { workspace, userId } = await requireWorkspaceAction(input.slug, "billing-change");
    const actor = await memberActor(userId);
    const key = await db().$transaction(async (tx) => {
      const created = await createApiKey(tx, { workspaceId: workspace.id, name: input.name, createdById: userId });
      await recordAudit(tx, actor, { workspaceId: workspace.id, action: "api_key.created", subjectType: "api_key", subjectId: created.id, after: { name: created.name, prefix: created.prefix } });
      return created;
    });
    revalidatePath(`/w/${input.slug}/api-keys`);
    const state: CreateKeyState = { ok: true, message: `Key "${key.name}" created.`, secret: key.secret, name: key.name };
    return state;
  },
);

export async function createApiKeyAction(prev: CreateKeyState, form: FormData): Promise<CreateKeyState> {
  return (await create(prev, form)) as CreateKeyState;
}

export const revokeApiKeyAction = formAction(z.object({ slug: z.string().min(1), keyId: z.string().min(1) }), async (input) => {
  const { workspace, userId } = await requireWorkspaceAction(input.slug, "billing");
  const actor = await memberActor(userId);
  const key = await db().$transaction(async (tx) => {
    const revoked = await revokeApiKey(tx, { workspaceId: workspace.id, keyId: input.keyId });
    await recordAudit(tx, actor, { workspaceId: workspace.id, action: "api_key.revoked", subjectType: "api_key", subjectId: revoked.id, after: { name: revoked.name, prefix: revoked.prefix } });
    return revoked;
  });
  revalidatePath(`/w/${input.slug}/api-keys`);
  return { ok: true, message: `Key "${key.name}" revoked. Requests with it are refused from now on.` };
});
