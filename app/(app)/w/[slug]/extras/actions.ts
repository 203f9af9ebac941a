"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { configureAutoTopUp } from "@/lib/billing";
import { db } from "@/lib/db";
import { formAction } from "@/lib/server/action";
import { memberActor, requireWorkspaceAction } from "@/lib/server/session";
import { recordAudit } from "@/lib/admin/audit";
import { assertPurchasesAllowed, startPackCheckout } from "@/lib/payments";
import { formRequestKey } from "@/lib/payments/request-key";

const slug = z.string().min(1).max(100);
const requestKey = formRequestKey;

export const buyPackAction = formAction(z.object({ slug, pack: z.string().min(1).max(100), requestKey }), async (input) => {
  const { workspace } = await requireWorkspaceAction(input.slug, "billing-change");
  const { url } = await startPackCheckout(db(), { workspaceId: workspace.id, slug: workspace.slug, pack: input.pack, requestKey: input.requestKey });
  redirect(url);
});

export const autoTopUpAction = formAction(
  z.object({
    slug,
    enabled: z.enum(["on"]).optional(),
    threshold: z.union([z.literal(""), z.string().trim().regex(/^\d{1,12}(\.\d{1,6})?$/, "Enter a number of units.")]).optional(),
    pack: z.string().max(100).optional(),
    monthlyCap: z.coerce.number().int("Enter a whole number.").min(0).max(100),
  }),
  async (input) => {
    const { workspace, userId } = await requireWorkspaceAction(input.slug, "billing-change");
    const enabled = input.enabled === "on";
    if (enabled) await assertPurchasesAllowed(db(), workspace.id);
    const actor = await memberActor(userId);
    await db().$transaction(async (tx) => {
      const before = await tx.extrasAccount.findUnique({ where: { workspaceId: workspace.id }, select: { autoTopUpEnabled: true, autoTopUpThreshold: true, autoTopUpPackId: true, autoTopUpMonthlyCap: true } });
      await configureAutoTopUp(tx, { workspaceId: workspace.id, enabled, threshold: input.threshold || null, pack: input.pack || null, monthlyCap: input.monthlyCap });
      await recordAudit(tx, actor, {
        workspaceId: workspace.id, action: "auto_top_up.configured", before,
        after: { enabled, threshold: input.threshold || null, pack: input.pack || null, monthlyCap: input.monthlyCap },
      });
    });
    revalidatePath(`/w/${input.slug}/extras`);
    return { ok: true, message: enabled ? "Auto top-up is on." : "Auto top-up is off." };
  },
);
