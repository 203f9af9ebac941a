"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { createPlatformKey, MAX_PLATFORM_KEY_NAME, revokePlatformKey } from "@/lib/platform-keys";
import { db } from "@/lib/db";
import { formAction, type FormState } from "@/lib/server/action";
import { requireOperatorAction } from "@/lib/server/operator";

/** The create form's state: the new secret travels back once, in this answer, and is kept nowhere else. */
export type CreatePlatformKeyState = (NonNullable<FormState> & { secret?: string; name?: string }) | null;

const create = formAction(
  z.object({ name: z.string().trim().min(1, "Give the key a name.").max(MAX_PLATFORM_KEY_NAME, `At most ${MAX_PLATFORM_KEY_NAME} characters.`) }),
  async (input) => {
    const op = await requireOperatorAction();
    const key = await db().$transaction((tx) => createPlatformKey(tx, { kind: "operator", id: op.id, email: op.email }, { name: input.name }));
    revalidatePath("/admin/platform-keys");
    const state: CreatePlatformKeyState = { ok: true, message: `Platform key "${key.name}" created.`, secret: key.secret, name: key.name };
    return state;
  },
);

export async function createPlatformKeyAction(prev: CreatePlatformKeyState, form: FormData): Promise<CreatePlatformKeyState> {
  return (await create(prev, form)) as CreatePlatformKeyState;
}

export const revokePlatformKeyAction = formAction(z.object({ keyId: z.string().min(1) }), async (input) => {
  const op = await requireOperatorAction();
  const key = await db().$transaction((tx) => revokePlatformKey(tx, { kind: "operator", id: op.id, email: op.email }, { keyId: input.keyId }));
  revalidatePath("/admin/platform-keys");
  return { ok: true, message: `Platform key "${key.name}" revoked. Requests with it are refused from now on.` };
});
