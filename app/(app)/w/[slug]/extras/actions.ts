"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { configureAutoTopUp } from "@/lib/billing";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { formAction } from "@/lib/server/action";
import { requireWorkspaceAction } from "@/lib/server/session";
import { assertPurchasesAllowed, refundExtrasPurchase, startPackCheckout } from "@/lib/payments";

const slug = z.string().min(1).max(100);
const requestKey = z.string().regex(/^[A-Za-z0-9_-]{8,80}$/, "Reload the page and try again.");
const dollars = z.string().trim().regex(/^(\d{1,7})(\.\d{1,2})?$/, "Enter an amount like 5 or 12.50.");

export const buyPackAction = formAction(z.object({ slug, pack: z.string().min(1).max(100), requestKey }), async (input) => {
  const { workspace } = await requireWorkspaceAction(input.slug, "billing");
  const { url } = await startPackCheckout(db(), { workspaceId: workspace.id, slug: workspace.slug, pack: input.pack, requestKey: input.requestKey });
  redirect(url);
});

export const refundAction = formAction(
  z.object({
    slug,
    lotId: z.string().min(1).max(100),
    mode: z.enum(["full", "partial"]),
    amount: z.union([z.literal(""), dollars]).optional(),
    // Checked by refundExtrasPurchase once the purchase is found, so another workspace's lot is "not found" first.
    refundRequestId: z.string().max(200).optional(),
  }),
  async (input) => {
    const { workspace } = await requireWorkspaceAction(input.slug, "billing");
    let amountCents: number | null = null;
    if (input.mode === "partial") {
      if (!input.amount) throw new AppError("invalid_request", "Enter the amount to refund.", { field: "amount" });
      amountCents = Math.round(Number(input.amount) * 100);
    }
    const r = await refundExtrasPurchase(db(), { workspaceId: workspace.id, lotId: input.lotId, amountCents, refundRequestId: input.refundRequestId ?? "" });
    revalidatePath(`/w/${input.slug}`, "layout");
    const dollarsText = `$${(r.amountCents / 100).toFixed(2)}`;
    if (r.status === "failed" || r.status === "canceled") {
      return { ok: false, message: `The refund of ${dollarsText} ${r.status === "failed" ? "failed" : "was canceled"}; no units were taken back.` };
    }
    return { ok: true, message: `Refunded ${dollarsText}; ${r.clawedUnits} units were taken back (balance ${r.balance}).` };
  },
);

export const autoTopUpAction = formAction(
  z.object({
    slug,
    enabled: z.enum(["on"]).optional(),
    threshold: z.union([z.literal(""), z.string().trim().regex(/^\d{1,12}(\.\d{1,6})?$/, "Enter a number of units.")]).optional(),
    pack: z.string().max(100).optional(),
    monthlyCap: z.coerce.number().int("Enter a whole number.").min(0).max(100),
  }),
  async (input) => {
    const { workspace } = await requireWorkspaceAction(input.slug, "billing");
    const enabled = input.enabled === "on";
    if (enabled) await assertPurchasesAllowed(db(), workspace.id);
    await configureAutoTopUp(db(), { workspaceId: workspace.id, enabled, threshold: input.threshold || null, pack: input.pack || null, monthlyCap: input.monthlyCap });
    revalidatePath(`/w/${input.slug}/extras`);
    return { ok: true, message: enabled ? "Auto top-up is on." : "Auto top-up is off." };
  },
);
